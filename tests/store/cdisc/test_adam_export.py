"""``export_adam``'s permission check; its equality with the file commands is tested in
tests/cli/test_store_adam_equals_file_commands.py (it runs ``oncotrial``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from oncotrial.store.cdisc.adam import export_adam


def test_export_adam_refuses_a_role_without_the_export_permission(imported: tuple[Store, Actor, ImportReport]) -> None:
    """Exports are the statistician's (oncotrial.store.access): the monitor is refused, naming the role needed."""
    from oncotrial.errors import AccessError
    from oncotrial.store import services

    store, _, _ = imported
    with store.read() as session:
        monitor = services.actor_for(session, "monitor")
        with pytest.raises(AccessError, match="statistician"):
            export_adam(session, monitor, "CDISCPILOT01", Path("unused"))


def test_adsl_of_an_entered_trial_holds_crossovers_and_the_last_contact(trial_store: Store) -> None:
    """A patient of arm A crossed over to B on 2027-01-05 and last known alive on 2027-03-01 (later than anything
    AE, LB or EX give): ADSL's TRT02A is B, TR02SDT 2027-01-05, LSTALVDT 2027-03-01; the other patient, neither
    crossed over nor contacted, has none of them."""
    import datetime as dt

    from oncotrial.store.cdisc.adam import derive_adam
    from oncotrial.store.services import actor_for, record_crossover, record_last_known_alive
    from tests.store.conftest import TRIAL, enrol_eligible
    from tests.store.test_dosing import _crossed_over_patient

    crossed = _crossed_over_patient(trial_store)
    other = enrol_eligible(trial_store, randomise=True)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        record_crossover(session, actor, TRIAL, crossed, to_arm="B", crossover_on=dt.date(2027, 1, 5), reason="PD")
        record_last_known_alive(session, actor, TRIAL, crossed, event_date=dt.date(2027, 3, 1))
    with trial_store.read() as session:
        adsl = derive_adam(session, actor_for(session, "stat"), TRIAL)["ADSL"].set_index("USUBJID")
    assert adsl.loc[crossed, ["ARM", "TRT02A", "TR02SDT", "LSTALVDT"]].tolist() == [
        "Arm A: IL-2 Monotherapy",
        "B",
        "2027-01-05",
        "2027-03-01",
    ]
    assert adsl.loc[[other], ["TRT02A", "TR02SDT", "LSTALVDT"]].isna().all(axis=None)
