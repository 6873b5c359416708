"""``oncotrial.store.services.overview``: the lists, dashboard and timeline the pages show, with a site role held to
its own site. Expected counts are those of the patients each test enrols (written as literals)."""

from __future__ import annotations

import pytest

from oncotrial.errors import AccessError
from oncotrial.store import Store, services
from tests.store.conftest import TRIAL, enrol_eligible


@pytest.fixture
def two_sites(trial_store: Store) -> tuple[Store, str, str]:
    """Site 01: one randomised patient (01-0001) and one screened only (01-0002); site 02: one randomised (02-0001)."""
    first = enrol_eligible(trial_store, "inv1", randomise=True)
    enrol_eligible(trial_store, "inv1")
    other = enrol_eligible(trial_store, "inv2", randomise=True)
    return trial_store, first, other


def test_a_site_role_lists_only_its_own_sites_patients(two_sites: tuple[Store, str, str]) -> None:
    store, _, _ = two_sites
    with store.read() as session:
        coord1 = services.actor_for(session, "coord1")
        mine = services.list_patients(session, coord1, TRIAL)
        everyone = services.list_patients(session, services.actor_for(session, "monitor"), TRIAL)
        found = services.list_patients(session, coord1, TRIAL, search="0002")
    assert [(p.subject_id, p.site, p.screening) for p in mine] == [
        ("01-0001", "01", "eligible"),
        ("01-0002", "01", "eligible"),
    ]
    assert [p.subject_id for p in everyone] == ["01-0001", "01-0002", "02-0001"]
    assert [p.subject_id for p in found] == ["01-0002"]


def test_a_search_with_sql_wildcards_matches_them_as_text(two_sites: tuple[Store, str, str]) -> None:
    store, _, _ = two_sites
    with store.read() as session:
        assert services.list_patients(session, services.actor_for(session, "monitor"), TRIAL, search="%") == []


def test_the_dashboard_counts_enrolment_by_site_and_arm_against_the_target(two_sites: tuple[Store, str, str]) -> None:
    """NCT01416831's protocol gives 44 enrolled (design.enrolled) and arms A and B; it is randomised, not Simon."""
    store, _, _ = two_sites
    with store.read() as session:
        board = services.trial_dashboard(session, services.actor_for(session, "monitor"), TRIAL)
        own = services.trial_dashboard(session, services.actor_for(session, "coord2"), TRIAL)
    assert (board.target, board.enrolled, board.randomised, board.arms) == (44, 3, 2, ["A", "B"])
    assert sum(board.by_site_and_arm["01"].values()) == 2
    assert board.by_site_and_arm["01"]["not randomised"] == 1
    assert list(own.by_site_and_arm) == ["02"]
    assert board.simon is None
    assert board.simon_note == "not a Simon two-stage design (randomised)"


def test_the_timeline_lists_consent_screening_and_randomisation_and_refuses_another_site(
    two_sites: tuple[Store, str, str],
) -> None:
    store, first, other = two_sites
    with store.read() as session:
        timeline = services.patient_timeline(session, services.actor_for(session, "coord1"), TRIAL, first)
        with pytest.raises(AccessError, match="works at another site"):
            services.patient_timeline(session, services.actor_for(session, "coord1"), TRIAL, other)
    assert [event.kind for event in timeline.events] == ["enrolment", "consent", "screening", "randomisation"]
    assert timeline.screening is not None
    assert timeline.screening.status == "eligible"
    assert all(c["status"] == "met" for c in timeline.screening.criteria if c["type"] == "inclusion")
    assert timeline.arm in {"A", "B"}


def test_the_dashboard_gives_the_simon_stage_1_status_of_a_simon_design(trial_store: Store) -> None:
    """CALGB-500001 with the stage sizes written in (r1=1 of n1=10, r=5 of n=29): no patient assessed yet, so by
    the rule (stop after stage 1 only when at most r1 of n1 respond) stage 1 continues."""
    from tests.store.conftest import builtin_protocol_text

    text = builtin_protocol_text("CALGB-500001").replace(
        "kind: simon_two_stage\n", "kind: simon_two_stage\n  r1: 1\n  n1: 10\n  r: 5\n  n: 29\n", 1
    )
    with trial_store.write() as session:
        services.create_trial(session, services.actor_for(session, "admin"), "CALGB-500001", protocol_yaml=text)
    with trial_store.read() as session:
        board = services.trial_dashboard(session, services.actor_for(session, "monitor"), "CALGB-500001")
    assert board.simon is not None
    assert (board.simon["status"], board.simon["stage"], board.simon["enrolled"]) == ("continue stage 1", 1, 0)
    assert board.simon_note == "r1=1/n1=10, r=5/n=29"
    assert board.target == 38


def test_a_simon_design_without_its_stage_sizes_says_so(trial_store: Store) -> None:
    from tests.store.conftest import builtin_protocol_text

    with trial_store.write() as session:
        services.create_trial(
            session,
            services.actor_for(session, "admin"),
            "CALGB-500001",
            protocol_yaml=builtin_protocol_text("CALGB-500001"),
        )
    with trial_store.read() as session:
        board = services.trial_dashboard(session, services.actor_for(session, "monitor"), "CALGB-500001")
    assert board.simon is None
    assert board.simon_note == "the protocol's Simon design does not give r1, n1, r and n"


def test_the_screening_form_is_the_protocols_template_with_what_was_recorded(two_sites: tuple[Store, str, str]) -> None:
    """01-0002 was screened with the eligible record: its ECOG (1) and lesion size (24 mm) are shown again; the
    date of birth is not kept in the screening record (identifying), so it is not shown again."""
    store, _, other = two_sites
    with store.read() as session:
        form = services.screening_form(session, services.actor_for(session, "coord1"), TRIAL, "01-0002")
        with pytest.raises(AccessError, match="may not enter data"):
            services.screening_form(session, services.actor_for(session, "monitor"), TRIAL, "01-0002")
        with pytest.raises(AccessError, match="works at another site"):
            services.screening_form(session, services.actor_for(session, "coord1"), TRIAL, other)
    shown = {path: value for path, value, _ in form.fields}
    assert (shown[("ecog", "value")], shown[("lesions", 0, "size_mm")]) == (1, 24)
    assert shown[("consent_date",)] == "2026-11-18"
    assert shown[("birth_date",)] is None
    assert ("subject_id",) not in shown
