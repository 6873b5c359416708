"""Every pk result has the one shape (tests/result_shape.py): frozen, to_frame(), JSON-safe to_dict(), str()."""

from __future__ import annotations

import json

import pandas as pd

from oncotrial.pk import derive_nca, summarise_nca
from tests.conftest import shared_path
from tests.result_shape import assert_result_shape


def _result():  # type: ignore[no-untyped-def]
    data = pd.read_csv(shared_path("pk", "theoph.csv"))
    return derive_nca(data.assign(conc=data["conc"].where(data["Subject"] != 3, 0.0)), partial_intervals=[(0, 12)])


def test_nca_result_has_the_one_shape() -> None:
    """Subject 3 made all BLQ: its missing values are None in to_dict(), its reason is text."""
    result = _result()
    assert_result_shape(result)
    document = result.to_dict()
    json.dumps(document, allow_nan=False)
    third = next(p for p in document["profiles"] if p["subject"] == 3)
    assert third["lambda.z"] is None
    assert third["lambda.z.exclude.reason"].startswith("too few points")


def test_nca_summary_has_the_one_shape() -> None:
    assert_result_shape(summarise_nca(_result()))
