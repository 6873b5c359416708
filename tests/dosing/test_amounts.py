"""Dose amounts against values worked out by hand from the seed protocols."""

import pytest

from oncotrial.dosing import Patient, compute_body_surface_area, compute_dose
from oncotrial.errors import DataError, MissingDataError
from oncotrial.protocol import Dose


@pytest.mark.parametrize(
    ("dose", "weight", "expected_value", "expected_unit"),
    [
        pytest.param(Dose(amount=600000, unit="IU", per="kg"), 70, 42_000_000, "IU", id="hd_il2_70kg"),
        pytest.param(Dose(amount=600000, unit="IU", per="kg"), 82.5, 49_500_000, "IU", id="hd_il2_82.5kg"),
        pytest.param(Dose(amount=300, unit="ng", per="kg", report_unit="ug"), 70, 21, "µg", id="rhil12_70kg"),
        pytest.param(Dose(amount=50, unit="ug", per="kg", report_unit="mg"), 70, 3.5, "mg", id="ril21_70kg"),
        pytest.param(Dose(amount=3_000_000, unit="IU"), 70, 3_000_000, "IU", id="ifn_flat"),
        pytest.param(Dose(amount=20, unit="Gy"), 95, 20, "Gy", id="sbrt_flat"),
    ],
)
def test_compute_dose_matches_hand_calculation(dose, weight, expected_value, expected_unit):
    """600,000 IU/kg x 70 kg = 42,000,000 IU; 300 ng/kg x 70 kg = 21,000 ng = 21 ug; 50 ug/kg x 70 kg = 3.5 mg."""
    amount = compute_dose(dose, Patient(weight_kg=weight))
    assert amount.value == expected_value
    assert amount.unit == expected_unit


def test_body_surface_area_mosteller_and_dubois_for_70kg_170cm():
    """Mosteller: sqrt(170 * 70 / 3600) = sqrt(3.30556) = 1.81812 m2; Du Bois: 0.007184 * 70^0.425 * 170^0.725
    = 1.8100 m2 (both worked out by hand)."""
    assert compute_body_surface_area(70, 170) == pytest.approx(1.81812, abs=1e-5)
    assert compute_body_surface_area(70, 170, formula="dubois") == pytest.approx(1.8100, abs=1e-3)


def test_dose_per_m2_uses_mosteller_bsa():
    """100 mg/m2 for 70 kg, 170 cm: 100 x 1.81812 = 181.812 mg."""
    amount = compute_dose(Dose(amount=100, unit="mg", per="m2"), Patient(weight_kg=70, height_cm=170))
    assert amount.value == pytest.approx(181.812, abs=1e-3)
    assert amount.unit == "mg"


def test_dose_per_m2_without_height_names_the_missing_height():
    with pytest.raises(MissingDataError, match=r"per m² of body surface.*height.*\(height_cm\)") as info:
        compute_dose(Dose(amount=100, unit="mg", per="m2"), Patient(weight_kg=70, subject_id="0012"))
    assert info.value.code == "DOSE-E002"
    assert "Subject 0012" in info.value.message


@pytest.mark.parametrize("weight", [pytest.param(19.9, id="below_20"), pytest.param(300.5, id="above_300")])
def test_weight_outside_20_to_300_kg_is_refused(weight):
    with pytest.raises(DataError, match=r"outside the accepted 20–300 kg.*kilograms") as info:
        Patient(weight_kg=weight)
    assert info.value.code == "DOSE-E001"


@pytest.mark.parametrize("weight", [pytest.param(20, id="exactly_20"), pytest.param(300, id="exactly_300")])
def test_weight_at_the_limits_is_accepted(weight):
    assert Patient(weight_kg=weight).weight_kg == weight


def test_height_and_patient_number_are_checked():
    with pytest.raises(DataError, match="height of 17 cm"):
        Patient(weight_kg=70, height_cm=17)
    with pytest.raises(DataError, match="enrolment number must be 1 or more"):
        Patient(weight_kg=70, patient_number=0)


def test_a_numpy_weight_from_a_table_is_a_number():
    import numpy as np

    # 600,000 IU/kg x 70 kg = 42,000,000 IU, as for a Python int
    dose = Dose(amount=600000, unit="IU", per="kg")
    assert compute_dose(dose, Patient(weight_kg=np.int64(70))).value == 42_000_000


def test_a_weight_that_is_not_a_number_names_the_subject():
    with pytest.raises(DataError, match="Subject S-1: the weight must be a number of kg") as caught:
        Patient(weight_kg="70", subject_id="S-1")
    assert caught.value.fields["subject_id"] == "S-1"


@pytest.mark.parametrize(
    ("subject_id", "message"),
    [
        pytest.param("SUBJ\n0012", r"contains the control character U\+000A", id="newline"),
        pytest.param("SUBJ\t0012", r"contains the control character U\+0009", id="tab"),
        pytest.param("SUBJ\x000012", r"contains the control character U\+0000", id="nul"),
        pytest.param("  ", r"is empty", id="blank"),
    ],
)
def test_a_subject_id_must_be_one_printable_line(subject_id, message):
    """A line break in a subject id would split a CSV row or an iCalendar property: refused up front."""
    with pytest.raises(DataError, match=message) as caught:
        Patient(weight_kg=70, subject_id=subject_id)
    assert caught.value.code == "DOSE-E006"


def test_a_subject_id_with_spaces_and_accents_is_accepted():
    assert Patient(weight_kg=70, subject_id="Site 3 / Zoë-012").subject_id == "Site 3 / Zoë-012"
