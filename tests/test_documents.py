"""Bounded reading of YAML and JSON documents (``oncotrial._documents``).

Each hostile input must end in a ``ValueError``/``DataError`` that names the problem, quickly: the
expected messages are the module's own wording; the expected values of the documents that are
accepted are written out by hand, or (for YAML's plain data, read by the event builder) are what
PyYAML itself gives (``yaml.load(text, Loader=yaml.CSafeLoader)``, a well-kept library) on documents
written by hand to hold every YAML 1.1 scalar type, anchors, flow and block style.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from pathlib import Path

import pytest
import yaml

from oncotrial import _documents
from oncotrial._documents import DocumentLimits, parse_document, read_document, shorten_path
from oncotrial.errors import DataError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def _block(depth: int) -> str:
    return "".join(" " * level + "a:\n" for level in range(depth)) + " " * depth + "1\n"


def _dashes(depth: int) -> str:
    return "- " * depth + "x\n"


@pytest.mark.parametrize("depth", [101, 1_000, 100_000])
@pytest.mark.parametrize(
    ("make", "syntax"),
    [
        pytest.param(_flow, "yaml", id="yaml-flow"),
        pytest.param(_dashes, "yaml", id="yaml-dashes"),
        pytest.param(_flow, "json", id="json"),
        pytest.param(lambda d: '{"a": ' * d + "1" + "}" * d, "json", id="json-objects"),
    ],
)
def test_deep_nesting_is_refused(make: object, syntax: str, depth: int) -> None:
    """Before the bound, PyYAML recursed until RecursionError and libyaml's composer crashed at 100,000."""
    text = make(depth)  # type: ignore[operator]
    started = time.perf_counter()
    with pytest.raises(ValueError, match="nested more than 100 levels deep"):
        parse_document(text, syntax=syntax)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 5


def test_deep_block_mappings_are_refused_at_their_line() -> None:
    # 1,000 mappings, one per line, each indented one more space: level 101 is on line 101
    with pytest.raises(ValueError, match=r"nested more than 100 levels deep \(line 101\)"):
        parse_document(_block(1_000), syntax="yaml")


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_nesting_up_to_the_bound_is_read(syntax: str) -> None:
    value = parse_document(_flow(100), syntax=syntax)  # type: ignore[arg-type]
    for _ in range(99):
        (value,) = value
    assert value == []


def test_the_number_of_values_is_bounded() -> None:
    """50 MB of "- a" lines are 12 million values: composing them would take gigabytes."""
    text = "- a\n" * 1001
    assert len(parse_document(text, syntax="yaml", limits=DocumentLimits(max_nodes=1002))) == 1001  # list + 1001
    with pytest.raises(ValueError, match=r"it holds more than 1,001 values \(line 1001\); split it"):
        parse_document(text, syntax="yaml", limits=DocumentLimits(max_nodes=1001))


def test_a_document_the_composer_reads_holds_fewer_values() -> None:
    """Composing takes about 500 bytes a value: a tag sends the same 1,001 items to the composer's lower bound."""
    limits = DocumentLimits(max_nodes=1002, max_composed_nodes=500)
    assert len(parse_document("- a\n" * 1001, syntax="yaml", limits=limits)) == 1001
    with pytest.raises(ValueError, match=r"it holds more than 500 values \(line 500\)"):
        parse_document("- !!str a\n" + "- a\n" * 1000, syntax="yaml", limits=limits)


def test_a_patients_file_of_100000_screening_records_is_within_the_bounds() -> None:
    """bench/bench_screen.py's records hold 148 values each (keys included): 14.8 million for 100,000."""
    assert _documents.PATIENTS_FILE_LIMITS.max_nodes >= 14_800_000


def test_the_depth_bound_is_configurable() -> None:
    assert parse_document(_flow(3), syntax="yaml", limits=DocumentLimits(max_depth=3)) == [[[]]]
    with pytest.raises(ValueError, match="nested more than 2 levels"):
        parse_document(_flow(3), syntax="yaml", limits=DocumentLimits(max_depth=2))


def test_json_strings_with_brackets_do_not_count_as_nesting() -> None:
    text = '{"note": "' + "[" * 500 + '\\"]"}'
    assert parse_document(text, syntax="json") == {"note": "[" * 500 + '"]'}


# A "billion laughs": 10 levels of 9 aliases each expand to 9^10 (3.5 billion) strings.
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


def test_an_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"its aliases \(\*\w and others\) expand it by more than 1,000,000 values"):
        parse_document(BILLION_LAUGHS, syntax="yaml")
    assert time.perf_counter() - started < 5


def test_aliases_within_the_bound_are_expanded() -> None:
    text = "defaults: &d {route: IV, time: '08:00'}\nfirst: *d\nsecond: *d\n"
    assert parse_document(text, syntax="yaml") == {
        "defaults": {"route": "IV", "time": "08:00"},
        "first": {"route": "IV", "time": "08:00"},
        "second": {"route": "IV", "time": "08:00"},
    }
    # {route, time} mapping: 1 mapping + 4 scalars = 5 nodes per alias, 10 for two aliases
    assert parse_document(text, syntax="yaml", limits=DocumentLimits(max_alias_nodes=10))["second"]["route"] == "IV"
    with pytest.raises(ValueError, match="expand it by more than 9 values"):
        parse_document(text, syntax="yaml", limits=DocumentLimits(max_alias_nodes=9))


def test_an_alias_cannot_nest_deeper_than_the_bound() -> None:
    # 60 levels anchored, then used 50 levels down: 110 levels once expanded
    text = f"a: &a {_flow(60)}\nb: {'[' * 50}*a{']' * 50}\n"
    with pytest.raises(ValueError, match=r"nested more than 100 levels deep \(line 2\)"):
        parse_document(text, syntax="yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "d: 2026-02-30", "'2026-02-30' cannot be read as a date or time (day is out of range", id="feb-30"
        ),
        pytest.param(
            "d: 0000-01-01", "'0000-01-01' cannot be read as a date or time (year 0 is out of range)", id="y0"
        ),
        pytest.param("d: 2026-01-01T99:00:00", "(hour must be in 0..23)", id="hour-99"),
        pytest.param("n: " + "9" * 5000, "cannot be read as a whole number (it has too many digits)", id="long-int"),
    ],
)
def test_yaml_values_python_cannot_hold_are_refused_with_their_place(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"at line 1, column 4") as caught:
        parse_document(text, syntax="yaml")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"count": Infinity}', "Infinity is not a JSON number", id="infinity"),
        pytest.param('{"count": -Infinity}', "-Infinity is not a JSON number", id="minus-infinity"),
        pytest.param('{"amount": NaN}', "NaN is not a JSON number", id="nan"),
        pytest.param('{"n": ' + "9" * 5000 + "}", "a number of 5000 digits", id="long-int"),
    ],
)
def test_json_values_that_are_not_numbers_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_document(text, syntax="json")


def test_dates_and_numbers_that_exist_are_read() -> None:
    text = "d: 2028-02-29\nt: 2026-11-23T08:00:00\nn: 600000\nx: 1.5e+3\n"
    assert parse_document(text, syntax="yaml") == {
        "d": dt.date(2028, 2, 29),
        "t": dt.datetime(2026, 11, 23, 8, 0),
        "n": 600000,
        "x": 1500.0,
    }


def test_read_document_stops_at_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"big\.yaml cannot be used: it is larger than 1,048 bytes, the most") as caught:
        read_document(path, what="protocol file", field="FILE", limits=DocumentLimits(max_bytes=1048))
    assert caught.value.code == "DOC-E002"
    assert caught.value.fields == {"field": "FILE", "file": str(path)}


def test_read_document_of_an_endless_file_stops_at_the_limit() -> None:
    """/dev/zero never ends: without the limit, reading it ran until memory ran out."""
    with pytest.raises(DataError, match="larger than 10,000 bytes"):
        read_document(Path("/dev/zero"), what="protocol file", field="FILE", limits=DocumentLimits(max_bytes=10_000))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param("r.json", b'\xef\xbb\xbf{"a": [1, 2.5, null]}', {"a": [1, 2.5, None]}, id="json-with-bom"),
        pytest.param("r.yaml", b"a: [1, 2.5, null]\n", {"a": [1, 2.5, None]}, id="yaml"),
        pytest.param("r.yml", b"", None, id="empty"),
    ],
)
def test_read_document_chooses_the_syntax_by_suffix(
    tmp_path: Path, name: str, content: bytes, expected: object
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert read_document(path, what="records file", field="--records") == expected


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        pytest.param(b"a: caf\xe9\n", "DOC-E002", "is not UTF-8 text (byte 6); save it as UTF-8", id="latin-1"),
        pytest.param(b"a: [1,\n", "DOC-E002", "it is not valid YAML at line 2, column 1", id="broken-yaml"),
    ],
)
def test_read_document_names_the_file_and_the_problem(tmp_path: Path, content: bytes, code: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(DataError, match=f"The protocol file {path} cannot be used: ") as caught:
        read_document(path, what="protocol file", field="FILE")
    assert message in caught.value.message
    assert caught.value.code == code


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(Path("no-such-file.yaml"), id="missing"),
        pytest.param(Path("a/" * 4000 + "p.yaml"), id="4000-levels"),
        pytest.param(Path("x" * 300 + ".yaml"), id="300-characters"),
    ],
)
def test_read_document_of_a_path_that_cannot_be_opened(path: Path) -> None:
    with pytest.raises(DataError, match=r"Cannot read the protocol file .*\. Check the path\.") as caught:
        read_document(path, what="protocol file", field="FILE")
    assert caught.value.code == "DOC-E001"
    assert len(caught.value.message) < 300  # a path of 8,000 characters is shortened in the message


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
def test_yaml_is_parsed_by_libyaml() -> None:
    """100,000-record patients files must load fast: PyYAML's pure-Python parser is 4 times slower."""
    assert issubclass(_documents._BoundedLoader, yaml.cyaml.CParser)


def test_shorten_path_keeps_both_ends() -> None:
    assert shorten_path("short/path.yaml") == "short/path.yaml"
    long = "a/" * 100 + "p.yaml"  # 206 characters
    # the first 10 and the last 10 characters
    assert shorten_path(long, 20) == "a/a/a/a/a/…a/a/p.yaml (206 characters)"


# --- plain data read from the event stream gives what PyYAML gives ---------------------------------

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
  non_specific: ! 12
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
- &scalar 3
- *scalar
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
        pytest.param("--- {a: 1}\n...\n", id="explicit-document"),
        pytest.param("- &x {a: [1, 2]}\n- <<: *x\n  b: 3\n", id="merge-key-read-by-the-composer"),
        pytest.param("- !!str 12\n- !!float 1\n", id="explicit-tags-read-by-the-composer"),
        pytest.param("- !!set {a, b}\n", id="set"),
    ],
)
def test_yaml_is_read_as_pyyaml_reads_it(text: str) -> None:
    assert parse_document(text, syntax="yaml") == yaml.load(text, Loader=_LOADER)


def test_plain_data_is_read_without_pyyamls_node_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """The records above need no composer: with the bounded composer made to fail, they are still read."""
    expected = yaml.load(SCALARS, Loader=_LOADER)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fell back to the composer")

    monkeypatch.setattr(_documents._BoundedLoader, "get_single_data", refuse)
    assert parse_document(SCALARS, syntax="yaml") == expected


def test_aliases_are_the_same_object_as_in_pyyaml() -> None:
    data = parse_document(SCALARS, syntax="yaml")
    assert data[2] is data[1]
    assert data[4] == 3
    assert data[0]["infinity"] == math.inf


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: [1, 2\n", id="unclosed-flow"),
        pytest.param("--- 1\n--- 2\n", id="two-documents"),
        pytest.param("? [1, 2]\n: x\n", id="complex-key"),
        pytest.param("- *nowhere\n", id="undefined-alias"),
        pytest.param("- &a 1\n- &a 2\n", id="repeated-anchor"),
    ],
)
def test_bad_yaml_is_refused_with_pyyamls_problem_and_place(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=_LOADER)
    mark = expected.value.problem_mark  # type: ignore[attr-defined]
    place = f"it is not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {expected.value.problem}"  # type: ignore[attr-defined]
    # PyYAML's Python composer (the fallback) adds the alias's name to libyaml's wording
    with pytest.raises(ValueError, match="^" + re.escape(place)):
        parse_document(text, syntax="yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(BILLION_LAUGHS, "expand it by more than 1,000,000 values", id="alias-bomb"),
        pytest.param(_dashes(100_000), "nested more than 100 levels deep (line 2)", id="deep-nesting"),
        pytest.param("n: 2026-02-30\n", "'2026-02-30' cannot be read as a date or time", id="impossible-date"),
    ],
)
def test_documents_beyond_plain_data_are_read_within_the_same_bounds(text: str, message: str) -> None:
    """A tag first sends the whole document to the bounded composer, which refuses it as the builder does."""
    started = time.perf_counter()
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_document("- !!str tagged\n- " + text.replace("\n", "\n  "), syntax="yaml")
    assert time.perf_counter() - started < 5
