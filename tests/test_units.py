"""Units: dose units and the laboratory spellings sites report."""

import pytest

from oncotrial.units import UnitParseError, parse_lab_unit, parse_unit


def test_wbc_in_10e9_per_litre_converts_to_per_mm3():
    """3.0 x 10^9/L is 3,000 /mm^3 (1 L = 10^6 mm^3), worked out by hand."""
    quantity = 3.0 * parse_lab_unit("10^9/L")
    assert quantity.to(parse_lab_unit("/mm^3")).magnitude == pytest.approx(3000)


def test_platelets_per_mm3_and_mass_concentrations_parse():
    assert (100_000 * parse_lab_unit("/mm^3")).to("1/L").magnitude == pytest.approx(1e11)
    assert (1.9 * parse_lab_unit("mg/dL")).to("g/dL").magnitude == pytest.approx(0.0019)


@pytest.mark.parametrize("text", [pytest.param("10^x/L", id="bad_power"), pytest.param("/foo", id="unknown")])
def test_unknown_lab_unit_is_a_clear_error(text):
    with pytest.raises(UnitParseError, match="is not a laboratory unit"):
        parse_lab_unit(text)


def test_dose_units_accept_micro_sign_and_refuse_unknown():
    assert str(parse_unit("µg")) == "microgram"
    with pytest.raises(UnitParseError, match="'IUU' is not a unit"):
        parse_unit("IUU")
