"""pharmaverse SDTM -> ``import_sdtm`` -> ``export_sdtm`` gives the input back in every column the store keeps
(issue 12, "Done when": round trip): all 306 subjects on SQLite, the first 40 on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.io import read_table
from oncotrial.store import Actor, Store, verify_chain
from oncotrial.store.cdisc import ImportReport, export_sdtm, import_sdtm
from tests.store.cdisc.conftest import SDTM, read_sdtm, statistician

# What the store does not keep (the same table as oncotrial.store.cdisc's docstring), written out here.
NOT_KEPT = {
    "DM": {
        "SUBJID", "RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFPENDTC", "DMDTC", "DMDY", "ARMNRS", "ACTARMUD",
        "BRTHDTC",
    },
    "DS": {"DSSPID", "VISITNUM", "DSDTC", "DSSTDY"},
    "EX": {"VISITNUM", "VISITDY", "EXSTDY", "EXENDY"},
    "AE": {
        "AESPID", "AELLT", "AELLTCD", "AEPTCD", "AEHLT", "AEHLTCD", "AEHLGT", "AEHLGTCD", "AEBDSYCD", "AESOC",
        "AESOCCD", "AESCAN", "AESCONG", "AESDISAB", "AESDTH", "AESHOSP", "AESLIFE", "AESOD", "AEDTC", "AESTDY",
        "AEENDY",
    },
    "LB": {"LBSEQ", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI", "LBNRIND", "VISITDY", "LBDY"},
    "PC": {"PCORRES", "PCORRESU", "PCNAM", "VISITNUM", "VISITDY", "PCDY"},
    "TU": {"TUTESTCD", "TUTEST", "TUORRES", "TUDY"},
    "TR": {"TRGRPID", "TRTEST", "TRDY"},
    "RS": {"RSDY"},
}  # fmt: skip
NUMBERS = {
    "AGE",
    "EXDOSE",
    "LBSTRESN",
    "LBSTNRLO",
    "LBSTNRHI",
    "VISITNUM",
    "PCSTRESN",
    "PCLLOQ",
    "PCTPTNUM",
    "TRSTRESN",
}
# partial dates come back as their first day: 2003 -> 2003-01-01, 2014-01 -> 2014-01-01 (none left: the AE
# service keeps a partial onset as reported)
PARTIAL_DATES: dict[str, tuple[str, ...]] = {}
# DM's arm of a patient never randomised (no RANDOMIZED record in DS: pharmaverse's screen failures) is not kept
ARM_COLUMNS = ("ARM", "ARMCD", "ACTARM", "ACTARMCD")


def _sorted(frame: pd.DataFrame, seq: str) -> pd.DataFrame:
    keys = ["USUBJID", *([seq] if seq in frame.columns else [])]
    keyed = frame.assign(**({seq: pd.to_numeric(frame[seq])} if seq in frame.columns else {}))
    return keyed.sort_values(keys, kind="stable").reset_index(drop=True)


def _first_day(text: pd.Series) -> pd.Series:
    return text.where(text.str.len() != 7, text + "-01").where(text.str.len() != 4, text + "-01-01")


def _expected(domain: str, source: Path) -> pd.DataFrame:
    frame = _sorted(read_sdtm(source, domain), f"{domain}SEQ")
    for column in PARTIAL_DATES.get(domain, ()):
        frame[column] = _first_day(frame[column].astype("string"))
    if domain == "DM":
        randomised = read_sdtm(source, "DS").query("DSDECOD == 'RANDOMIZED'")["USUBJID"]
        frame.loc[~frame["USUBJID"].isin(randomised), list(ARM_COLUMNS)] = pd.NA
    return frame


def _same(expected: pd.Series, actual: pd.Series, column: str) -> pd.Series:
    if column in NUMBERS:
        left, right = pd.to_numeric(expected.replace("", pd.NA)), pd.to_numeric(actual.replace("", pd.NA))
        return (left == right).fillna(False) | (left.isna() & right.isna())
    left, right = expected.astype("string").replace("", pd.NA), actual.astype("string").replace("", pd.NA)
    return (left == right).fillna(False) | (left.isna() & right.isna())


def _first_difference(domain: str, expected: pd.DataFrame, actual: pd.DataFrame) -> str | None:
    if len(actual) != len(expected) or list(actual["USUBJID"]) != list(expected["USUBJID"]):
        return f"{domain}: {len(actual)} records for {len(expected)}, or in another order"
    kept = [c for c in expected.columns if c not in NOT_KEPT[domain]]
    missing = [c for c in kept if c not in actual.columns]
    if missing:
        return f"{domain}: no column {', '.join(missing)}"
    for column in kept:
        same = _same(expected[column], actual[column], column)
        if not same.all():
            row = int((~same).to_numpy().nonzero()[0][0])
            return f"{domain}.{column} row {row}: {expected[column][row]!r} != {actual[column][row]!r}"
    return None


def _check_round_trip(store: Store, actor: Actor, sdtm_dir: Path, tmp_path: Path) -> None:
    with store.read() as session:
        files = export_sdtm(session, actor, "CDISCPILOT01", tmp_path / "out")
    differences = [
        _first_difference(
            domain,
            _expected(domain, sdtm_dir),
            _sorted(read_table(files[domain], name=domain, text=True), f"{domain}SEQ"),
        )
        for domain in NOT_KEPT
    ]
    assert [d for d in differences if d is not None] == []


def test_exported_sdtm_equals_the_imported_set_in_every_kept_column(
    imported: tuple[Store, Actor, ImportReport], sdtm_dir: Path, tmp_path: Path
) -> None:
    """Expected: the input files themselves (the first 40 subjects of tests/reference/pharmaverse/sdtm), sorted
    by USUBJID and --SEQ, with the columns of NOT_KEPT left out and the screen failures' arms empty, as written
    above; every domain is compared (one import, one export)."""
    store, actor, _ = imported
    _check_round_trip(store, actor, sdtm_dir, tmp_path)


def test_whole_pharmaverse_set_round_trips(sqlite_store: Store, tmp_path: Path) -> None:
    """The same check on all 306 subjects (136,627 records), on SQLite only: PostgreSQL checks the subset above,
    to stay within the test run's time."""
    store = sqlite_store
    actor = statistician(store)
    report = import_sdtm(store, actor, SDTM)
    assert sum(report.records.values()) == 136_627
    _check_round_trip(store, actor, SDTM, tmp_path)


def test_no_export_holds_the_date_of_birth_and_xpt_reads_back_as_csv(
    imported: tuple[Store, Actor, ImportReport], tmp_path: Path
) -> None:
    """BRTHDTC goes to the identity table only: no exported domain has it, in any format. The DS table through
    SAS transport (pyreadstat) holds what the CSV holds."""
    store, actor, _ = imported
    files = {}
    for format in ("csv", "parquet", "xpt"):
        with store.read() as session:
            files[format] = export_sdtm(session, actor, "CDISCPILOT01", tmp_path / format, format=format)
        for name, path in files[format].items():
            assert "BRTHDTC" not in read_table(path, name=name).columns
    left = read_table(files["csv"]["DS"], name="DS", text=True)
    right = read_table(files["xpt"]["DS"], name="DS")
    assert list(right["DSDECOD"].astype("string").replace("", pd.NA)) == list(left["DSDECOD"].replace("", pd.NA))
    assert list(pd.to_numeric(right["DSSEQ"])) == list(pd.to_numeric(left["DSSEQ"]))


def test_import_is_audited_and_the_chain_verifies(imported: tuple[Store, Actor, ImportReport]) -> None:
    """Every imported record has its audit entry (the bulk path), and the chain verifies."""
    store, _, report = imported
    with store.read() as session:
        chain = verify_chain(session)
    assert chain.ok, str(chain)
    assert chain.records >= sum(report.records.values())


def test_round_trip_holds_when_domains_go_in_parts(
    store: Store, sdtm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Domains passed to their services in parts of about 500 records (whole patients; a 10,000-patient import
    goes in parts of 100,000) give the same export."""
    from oncotrial.store.cdisc import importing

    monkeypatch.setattr(importing, "PART_ROWS", 500)
    actor = statistician(store)
    import_sdtm(store, actor, sdtm_dir)
    _check_round_trip(store, actor, sdtm_dir, tmp_path)
