"""``import_sdtm`` on a small hand-made SDTM folder: what it creates, what it keeps where, what its report says,
and what it refuses (nothing written), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from oncotrial.errors import AccessError, DataError
from oncotrial.store import Store, services
from oncotrial.store.cdisc import export_sdtm, import_sdtm
from oncotrial.store.cdisc.importing import FORM_NOT_RECORDED, FORM_RECORDED
from oncotrial.store.models import AuditEntry, Consent, Patient, PatientIdentity, Randomisation, Site, Trial
from tests.store.cdisc.conftest import statistician

DM = pd.DataFrame(
    {
        "STUDYID": ["STUDY1"] * 3,
        "DOMAIN": ["DM"] * 3,
        "USUBJID": ["S-001", "S-002", "S-003"],
        "SITEID": ["01", "01", "02"],
        "BRTHDTC": ["1950-12-26", "1948-07-22", "1960-01-01"],
        "RFICDTC": ["2014-01-01", None, None],
        "DMDTC": ["2014-01-02", "2014-02-10", "2014-03-01"],
        "AGE": [63, 64, 54],
        "AGEU": ["YEARS"] * 3,
        "SEX": ["F", "M", "F"],
        "ARMCD": ["A", "B", "Scrnfail"],
        "ARM": ["Drug A", "Drug B", "Screen Failure"],
        "ACTARMCD": ["A", "A", "Scrnfail"],
        "ACTARM": ["Drug A", "Drug A", "Screen Failure"],
        "COUNTRY": ["USA"] * 3,
    }
)
DS = pd.DataFrame(
    {
        "STUDYID": ["STUDY1"] * 3,
        "DOMAIN": ["DS"] * 3,
        "USUBJID": ["S-001", "S-002", "S-003"],
        "DSSEQ": [1, 1, 1],
        "DSTERM": ["RANDOMIZED", "RANDOMIZED", "SCREEN FAILURE"],
        "DSDECOD": ["RANDOMIZED", "RANDOMIZED", "SCREEN FAILURE"],
        "DSCAT": ["PROTOCOL MILESTONE", "PROTOCOL MILESTONE", "DISPOSITION EVENT"],
        "DSSTDTC": ["2014-01-05", "2014-02-12", "2014-03-02"],
    }
)
AE = pd.DataFrame(
    {
        "STUDYID": ["STUDY1"],
        "DOMAIN": ["AE"],
        "USUBJID": ["S-002"],
        "AESEQ": [1],
        "AETERM": ["HEADACHE"],
        "AESEV": ["MILD"],
        "AESER": ["N"],
        "AESTDTC": ["2014-02-08"],
    }
)


def _folder(path: Path, **tables: pd.DataFrame) -> Path:
    path.mkdir(exist_ok=True)
    for name, table in {"dm": DM, "ds": DS, "ae": AE, **tables}.items():
        table.to_csv(path / f"{name}.csv", index=False)
    return path


def _counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Trial, Patient, AuditEntry)
        )


def test_import_creates_the_trial_sites_and_patients_and_reports_what_it_could_not_check(
    store: Store, tmp_path: Path
) -> None:
    """Hand-made: 3 patients at sites 01 and 02 of STUDY1, none with an oncotrial protocol; S-001 consented on
    its RFICDTC 2014-01-01; S-002 has none, so its consent is its first record: the AE of 2014-02-08 (before its
    DMDTC 2014-02-10 and DS 2014-02-12); S-003 (DS only, 2014-03-02; DMDTC 2014-03-01) on 2014-03-01. S-003 has an
    arm but no RANDOMIZED record: its arm is not kept."""
    actor = statistician(store)
    (tmp_path / "in" / "suppdm.csv").parent.mkdir()
    (tmp_path / "in" / "suppdm.csv").write_text("STUDYID\n")
    report = import_sdtm(store, actor, _folder(tmp_path / "in"))
    assert (report.trial_code, report.created_trial, report.sites_created) == ("STUDY1", True, ("01", "02"))
    assert dict(report.records) == {"DM": 3, "DS": 3, "AE": 1}
    assert report.ignored_files == ("suppdm.csv",)
    assert any("2 of 3 patients have no RFICDTC" in c for c in report.checks_not_made)
    assert any("1 patients have an arm in DM but no RANDOMIZED record" in c for c in report.checks_not_made)
    assert any(c.startswith("eligibility") for c in report.checks_not_made)
    with store.read() as session:
        consents = dict(
            session.execute(
                select(Patient.subject_id, Consent.consent_date).join(Consent, Consent.patient_id == Patient.id)
            ).all()
        )
        forms = set(session.execute(select(Consent.form_version)).scalars())
        births = list(
            session.execute(select(PatientIdentity.birth_date).order_by(PatientIdentity.patient_id)).scalars()
        )
        arms = session.execute(
            select(Patient.subject_id, Randomisation.arm, Randomisation.method, Randomisation.randomised_on)
            .join(Randomisation, Randomisation.patient_id == Patient.id)
            .order_by(Patient.subject_id)
        ).all()
        sites = list(session.execute(select(Site.code).order_by(Site.code)).scalars())
    assert consents == {
        "S-001": dt.date(2014, 1, 1),
        "S-002": dt.date(2014, 2, 8),
        "S-003": dt.date(2014, 3, 1),
    }
    assert forms == {FORM_RECORDED, FORM_NOT_RECORDED}
    assert births == [dt.date(1950, 12, 26), dt.date(1948, 7, 22), dt.date(1960, 1, 1)]
    assert [tuple(a) for a in arms] == [
        ("S-001", "A", "recorded", dt.date(2014, 1, 5)),
        ("S-002", "B", "recorded", dt.date(2014, 2, 12)),
    ]
    assert sites == ["01", "02"]
    with store.read() as session:
        dm = pd.read_csv(export_sdtm(session, actor, "STUDY1", tmp_path / "out")["DM"], dtype=str)
    assert list(dm["RFICDTC"].fillna("")) == ["2014-01-01", "", ""]  # only a consent date DM gave comes back
    assert list(dm["ACTARM"].fillna("")) == ["Drug A", "Drug A", ""]
    assert "BRTHDTC" not in dm.columns


@pytest.mark.parametrize(
    ("tables", "code", "message"),
    [
        pytest.param({"ae": AE.assign(AESTDTC=["2014-02-40"])}, "STORE-E10", "onset", id="impossible_ae_onset_date"),
        pytest.param(
            {"ae": AE.assign(AETOXGR=["2.5"])}, "STORE-E106", "patient S-002: grade 2.5", id="ae_grade_not_whole"
        ),
        pytest.param(
            {"ds": DS.assign(DSSTDTC=["2014-01-05", "02/12/2014", "2014-03-02"])},
            "CDISC-E003",
            "DS DSSTDTC row 2",
            id="ds_date_not_iso",
        ),
        pytest.param({"dm": pd.concat([DM, DM.tail(1)])}, "CDISC-E012", "S-003 is in DM twice", id="duplicate_patient"),
        pytest.param({"dm": DM.assign(SEX=["F", "X", "F"])}, "STORE-E063", "sex 'X'", id="unknown_sex"),
        pytest.param(
            {"dm": DM.assign(STUDYID=["STUDY1", "STUDY2", "STUDY1"])}, "CDISC-E007", "2 studies", id="two_studies"
        ),
    ],
)
def test_bad_record_stops_the_import_and_nothing_is_written(
    store: Store, tmp_path: Path, tables: dict[str, pd.DataFrame], code: str, message: str
) -> None:
    """One bad record anywhere: a clear error naming it, and no trial, patient or audit entry is left."""
    actor = statistician(store)
    before = _counts(store)
    with pytest.raises(DataError, match=message) as raised:
        import_sdtm(store, actor, _folder(tmp_path / "in", **tables))
    assert str(raised.value.code).startswith(code)
    assert _counts(store) == before == (0, 0, before[2])


def test_a_folder_without_dm_or_with_a_domain_twice_is_refused(store: Store, tmp_path: Path) -> None:
    actor = statistician(store)
    folder = _folder(tmp_path / "in")
    AE.to_parquet(folder / "AE.parquet")
    with pytest.raises(DataError, match=r"holds AE twice \(AE.parquet, ae.csv\)"):
        import_sdtm(store, actor, folder)
    (folder / "AE.parquet").unlink()
    (folder / "dm.csv").unlink()
    with pytest.raises(DataError, match="has no DM"):
        import_sdtm(store, actor, folder)


def test_only_a_statistician_imports(store: Store, tmp_path: Path) -> None:
    """The import permission is the statistician's (oncotrial.store.access): a monitor is refused, nothing written."""
    statistician(store)
    with store.read() as session:
        monitor = services.actor_for(session, "monitor")
    with pytest.raises(AccessError, match="statistician"):
        import_sdtm(store, monitor, _folder(tmp_path / "in"))
    assert _counts(store)[:2] == (0, 0)


def test_import_into_an_existing_trial_needs_its_sites(store: Store, tmp_path: Path) -> None:
    """A trial already in the store keeps its sites: DM's site 02, which it lacks, is refused (the admin adds it)."""
    actor = statistician(store)
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        services.create_trial(session, admin, "STUDY1")
        services.add_site(session, admin, "STUDY1", "01", name="One")
    with pytest.raises(DataError, match="has no site 02"):
        import_sdtm(store, actor, _folder(tmp_path / "in"))
    assert _counts(store)[1] == 0


def test_parts_never_split_a_patient() -> None:
    """Worked by hand: rows of patients A (3), B (2), C (1) in parts of about 2 rows: A's three rows stay
    together, then B's two, then C's one."""
    from oncotrial.store.cdisc.importing import parts_by_patient

    rows = [{"subject_id": s} for s in "AAABBC"]
    parts = parts_by_patient(rows, 2)
    assert [[r["subject_id"] for r in part] for part in parts] == [["A", "A", "A"], ["B", "B"], ["C"]]
