"""The one shape of a core result (issue 11), checked the same way in each package's ``test_results.py``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pandas as pd
import pytest


def assert_result_shape(result: Any) -> None:
    """Frozen dataclass; ``to_frame()`` a non-empty DataFrame; ``to_dict()`` passes
    ``json.dumps(allow_nan=False)``; ``str()`` non-empty with every line at most 80 characters."""
    assert dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, dataclasses.fields(result)[0].name, None)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert not frame.empty
    json.dumps(result.to_dict(), allow_nan=False)
    text = str(result)
    assert text.strip()
    assert max(len(line) for line in text.splitlines()) <= 80, text
