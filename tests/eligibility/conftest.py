"""Fixtures shared by the eligibility tests: the two seed protocols screened in them."""

from __future__ import annotations

import pytest

from oncotrial.protocol import load_builtin_protocol
from oncotrial.protocol.models import Protocol


@pytest.fixture(scope="module")
def protocols() -> dict[str, Protocol]:
    return {trial: load_builtin_protocol(trial) for trial in ("NCT01416831", "NCT00514085")}


@pytest.fixture(scope="module")
def sbrt_il2(protocols: dict[str, Protocol]) -> Protocol:
    """NCT01416831: SBRT + high-dose IL-2 versus high-dose IL-2."""
    return protocols["NCT01416831"]


@pytest.fixture(scope="module")
def il21(protocols: dict[str, Protocol]) -> Protocol:
    """NCT00514085: IL-21."""
    return protocols["NCT00514085"]
