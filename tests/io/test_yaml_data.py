"""``oncotrial.io.yaml_data``: the fast reader gives what PyYAML's safe loader gives.

The oracle is PyYAML itself (``yaml.load(text, Loader=yaml.CSafeLoader)``, a well-kept library),
on documents written by hand to hold every YAML 1.1 scalar type, anchors, flow and block style."""

from __future__ import annotations

import math

import pytest
import yaml

from oncotrial.io.yaml_data import NotPlainSequence, iter_yaml_sequence, load_yaml_data

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCALARS = """\
- subject_id: P-001
  numeric_id: 12
  quoted: '12'
  double_quoted: "2026-11-16"
  date: 2026-11-16
  datetime: 2026-11-23 08:00:00
  datetime_tz: 2026-11-23T08:00:00+01:00
  minute_only: 2026-11-23T08:00
  nothing: null
  tilde: ~
  empty:
  yes_word: yes
  on_word: On
  false_word: false
  hex: 0x1F
  octal: 017
  underscored: 1_000
  sexagesimal: 1:30
  float: 4.2
  exponent: 1.5e3
  infinity: .inf
  unit: 10^9/L
  percent: "%"
  folded: >-
    two
    lines
  literal: |
    kept
  flow: {analyte: wbc, value: 4.2, unit: 10^9/L, date: 2026-11-16}
  list: [1, two, 3.0, null]
  nested:
    - {site: lung, size_mm: 24}
    - site: liver
      size_mm: 31
- &base {sex: female, ecog: 1}
- *base
- 3
- plain text
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SCALARS, id="every-scalar-type"),
        pytest.param("", id="empty"),
        pytest.param("just text\n", id="one-scalar"),
        pytest.param("[]\n", id="empty-list"),
        pytest.param("{a: 1, a: 2}\n", id="repeated-key-last-wins"),
        pytest.param("- &x {a: [1, 2]}\n- <<: *x\n  b: 3\n", id="merge-key-read-by-pyyaml"),
        pytest.param("- !!str 12\n- !!float 1\n", id="explicit-tags-read-by-pyyaml"),
        pytest.param("- !!set {a, b}\n", id="set"),
    ],
)
def test_load_yaml_data_equals_pyyaml(text: str) -> None:
    assert load_yaml_data(text) == yaml.load(text, Loader=_LOADER)


def test_aliases_are_the_same_object_as_in_pyyaml() -> None:
    data = load_yaml_data(SCALARS)
    assert data[2] is data[1]
    assert data[0]["infinity"] == math.inf


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: [1, 2\n", id="unclosed-flow"),
        pytest.param("--- 1\n--- 2\n", id="two-documents"),
        pytest.param("? [1, 2]\n: x\n", id="complex-key"),
        pytest.param("- *nowhere\n", id="undefined-alias"),
    ],
)
def test_bad_yaml_raises_pyyamls_error(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=_LOADER)
    with pytest.raises(type(expected.value), match=str(expected.value.problem)):
        load_yaml_data(text)


def test_plain_data_is_read_without_pyyamls_node_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """The records above need no fallback: with PyYAML's ``load`` made to fail, they are still read."""
    expected = yaml.load(SCALARS, Loader=_LOADER)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fell back to yaml.load")

    monkeypatch.setattr(yaml, "load", refuse)
    assert load_yaml_data(SCALARS) == expected


@pytest.mark.parametrize("size", [1, 2, 1000])
def test_a_sequence_read_in_batches_is_the_whole_sequence(size: int) -> None:
    batches = list(iter_yaml_sequence(SCALARS, size=size))
    assert [item for batch in batches for item in batch] == yaml.load(SCALARS, Loader=_LOADER)
    assert all(batches)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("patients:\n  - {a: 1}\n", id="mapping"),
        pytest.param("- {a: 1}\n- <<: {b: 2}\n", id="merge-key"),
        pytest.param("- {a: 1}\n- [2\n", id="broken"),
    ],
)
def test_a_document_other_than_a_plain_sequence_is_refused_in_batches(text: str) -> None:
    with pytest.raises(NotPlainSequence):
        list(iter_yaml_sequence(text, size=1))
