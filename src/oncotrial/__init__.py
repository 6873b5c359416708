"""oncotrial: phase II cancer immunotherapy trials, from the protocol to the results table.

``import oncotrial as ot`` gives every public function and result type of the core, flat, as lifelines and
scikit-survival do: ``ot.find_simon_designs``, ``ot.derive_timepoint_responses``, ``ot.compute_kaplan_meier``,
``ot.evaluate_eligibility``, ``ot.build_dosing_calendar``, ... Each name is the one its subpackage exports
in ``__all__`` (``oncotrial.design``, ``oncotrial.recist``, ...). The subpackages are imported on first use
(PEP 562), so ``import oncotrial`` itself is instant and a command that needs only one of them does not pay
for the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The core's subpackages whose public names the root exposes, in the order they are searched.
CORE_PACKAGES = (
    "protocol",
    "design",
    "eligibility",
    "dosing",
    "recist",
    "endpoints",
    "randomise",
    "pk",
    "safety",
    "biomarker",
    "io",
)

if TYPE_CHECKING:  # the same names, seen by type checkers and editors
    from oncotrial.biomarker import *  # noqa: F403
    from oncotrial.design import *  # noqa: F403
    from oncotrial.dosing import *  # noqa: F403
    from oncotrial.eligibility import *  # noqa: F403
    from oncotrial.endpoints import *  # noqa: F403
    from oncotrial.io import *  # noqa: F403
    from oncotrial.pk import *  # noqa: F403
    from oncotrial.protocol import *  # noqa: F403
    from oncotrial.randomise import *  # noqa: F403
    from oncotrial.recist import *  # noqa: F403
    from oncotrial.safety import *  # noqa: F403


def _public_names() -> dict[str, str]:
    """Every public name of the core, with the subpackage that exports it."""
    names: dict[str, str] = {}
    for package in CORE_PACKAGES:
        module = importlib.import_module(f"oncotrial.{package}")
        for name in module.__all__:
            names.setdefault(name, package)
    return names


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(_public_names())
    if name.startswith("_"):
        raise AttributeError(f"module 'oncotrial' has no attribute {name!r}")
    package = _public_names().get(name)
    if package is None:
        raise AttributeError(f"module 'oncotrial' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"oncotrial.{package}"), name)
    globals()[name] = value  # found once, then a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})
