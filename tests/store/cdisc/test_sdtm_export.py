"""``derive_sdtm`` on a trial entered through oncotrial (not imported), on SQLite and PostgreSQL: DM carries the
consent recorded at entry, the arm's name from the protocol, and the actual arm only once treatment started; EX
holds the doses given, not a dose held, with the amount of the patient's calendar where none was entered."""

from __future__ import annotations

from oncotrial.store import Store
from oncotrial.store.cdisc import derive_sdtm
from oncotrial.store.services import actor_for, record_administrations, record_treatment_start
from tests.store.conftest import TREATMENT_START, TRIAL, enrol_eligible

ARM_LABELS = {"A": "Arm A: IL-2 Monotherapy", "B": "Arm B: SBRT + IL-2"}  # NCT01416831's protocol file


def test_an_entered_trial_exports_its_consents_arms_and_the_doses_given(trial_store: Store) -> None:
    treated = enrol_eligible(trial_store, randomise=True)
    waiting = enrol_eligible(trial_store, randomise=True)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        record_treatment_start(session, actor, TRIAL, treated, start=TREATMENT_START, weight_kg=70)
        record_administrations(
            session,
            actor,
            TRIAL,
            [
                {
                    "subject_id": treated,
                    "treatment": "il2",
                    "cycle": 1,
                    "number": 1,
                    "status": "given",
                    "given_at": TREATMENT_START,
                },
                {
                    "subject_id": treated,
                    "treatment": "il2",
                    "cycle": 1,
                    "number": 2,
                    "status": "held",
                    "reason": "hypotension",
                },
                {
                    "subject_id": treated,
                    "treatment": "il2",
                    "cycle": 1,
                    "number": 3,
                    "status": "given",
                    "given_at": "2026-11-24T00:10",
                    "percent": 50,
                    "reason": "creatinine",
                },
            ],
        )
    with trial_store.read() as session:
        tables = derive_sdtm(session, actor_for(session, "stat"), TRIAL, domains=("EX",))
    dm = tables["DM"].set_index("USUBJID")
    assert dm.loc[[treated, waiting], "RFICDTC"].tolist() == ["2026-11-18", "2026-11-18"]  # CONSENTED_ON
    assert dm.loc[treated, "ARM"] == ARM_LABELS[dm.loc[treated, "ARMCD"]]
    assert dm.loc[waiting, "ARM"] == ARM_LABELS[dm.loc[waiting, "ARMCD"]]
    assert (dm.loc[treated, "ACTARMCD"], dm.loc[treated, "ACTARM"]) == (
        dm.loc[treated, "ARMCD"],
        dm.loc[treated, "ARM"],
    )
    assert dm.loc[[waiting], ["ACTARMCD", "ACTARM"]].isna().all(axis=None)  # randomised, not treated yet
    ex = tables["EX"]
    assert ex[["USUBJID", "EXSEQ", "EXTRT", "EXSTDTC", "EXDOSE", "EXDOSU"]].values.tolist() == [
        [treated, 1, "il2", "2026-11-23T08:00", 42_000_000, "IU"],  # given as planned: 600,000 IU/kg x 70 kg
        [treated, 2, "il2", "2026-11-24T00:10", 21_000_000, "IU"],  # 50 % of the plan
    ]
    assert ex["EXROUTE"].tolist() == ["INTRAVENOUS", "INTRAVENOUS"]  # entered without a route: the protocol's


def test_a_randomisation_entered_in_the_store_is_a_ds_milestone_and_adsls_randdt(trial_store: Store) -> None:
    """A patient randomised with ``randomise`` (on SCREENED_AT's day, 2026-11-21) has DS's RANDOMIZED record and
    RANDDT in ADSL; a patient not randomised has neither; a death recorded later stays before it in DS order, with
    the terms of a death."""
    from oncotrial.store.cdisc.adam import derive_adam
    from oncotrial.store.services import record_death

    randomised = enrol_eligible(trial_store, randomise=True)
    waiting = enrol_eligible(trial_store)
    with trial_store.write() as session:
        record_death(session, actor_for(session, "inv1"), TRIAL, randomised, event_date="2026-12-20")
    with trial_store.read() as session:
        ds = derive_sdtm(session, actor_for(session, "stat"), TRIAL, domains=("DS",))["DS"]
        adsl = derive_adam(session, actor_for(session, "stat"), TRIAL)["ADSL"].set_index("USUBJID")
    rows = ds.loc[ds["USUBJID"] == randomised, ["DSSEQ", "DSDECOD", "DSCAT", "DSSTDTC"]].values.tolist()
    assert rows[-1] == [2, "RANDOMIZED", "PROTOCOL MILESTONE", "2026-11-21"]
    assert rows[0][1:3] == ["DEATH", "DISPOSITION EVENT"]  # entered without its terms: those of a death
    assert waiting not in set(ds["USUBJID"])
    assert str(adsl.loc[randomised, "RANDDT"])[:10] == "2026-11-21"
    assert adsl.loc[[waiting], "RANDDT"].isna().all()
