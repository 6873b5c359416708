"""The one shape of a core result (issue 11), checked the same way in each package's ``test_results.py``."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import pandas as pd
import pytest


def _plain(value: object) -> bool:
    """Only what json writes as itself: no numpy scalars, Timestamps, tuples or enums."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


def assert_result_shape(result: Any) -> None:
    """Frozen dataclass with typed fields; ``to_frame()`` a non-empty DataFrame, a new one each call;
    ``to_dict()`` plain JSON values that pass ``json.dumps(allow_nan=False)`` and read back equal;
    ``str()`` non-empty with every line at most 80 characters."""
    assert dataclasses.is_dataclass(result)
    fields = dataclasses.fields(result)
    hints = typing.get_type_hints(type(result))
    assert all(f.name in hints for f in fields)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, fields[0].name, None)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert not frame.empty
    columns = list(frame.columns)
    frame.columns = [f"changed_{i}" for i in range(len(columns))]
    assert list(result.to_frame().columns) == columns
    document = result.to_dict()
    assert _plain(document), document
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    text = str(result)
    assert text.strip()
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
