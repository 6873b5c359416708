"""``oncotrial demo``: the end-to-end demo."""

from __future__ import annotations

from datetime import date, timedelta
from importlib.resources import as_file, files

from oncotrial.cli import design as design_cli
from oncotrial.cli import protocol as protocol_cli
from oncotrial.cli.common import out
from oncotrial.cli.schedule import print_calendar
from oncotrial.cli.screen import screen_command
from oncotrial.dosing import Patient, build_dosing_calendar, compute_next_weekday
from oncotrial.protocol import Weekday, list_builtin_protocols, load_builtin_protocol


def demo_command() -> None:
    """The end-to-end demo: the built-in protocols, a Simon design, screening, a dosing calendar for NCT01416831 arm A."""
    protocol_cli.list_command(as_json=False)
    out.print("\nDesign: Simon two-stage designs against high-dose IL-2's historical response rate of 16 %")
    design_cli.simon_command(p0=0.16, p1=0.36, alpha=0.05, beta=0.20)
    protocol = load_builtin_protocol("NCT01416831")
    start = compute_next_weekday(date.today() + timedelta(days=1), Weekday.MONDAY)
    patient = Patient(weight_kg=70, patient_number=1, subject_id="DEMO-001")
    out.print(f"\nDosing calendar: {protocol.id} arm A (high-dose IL-2), 70 kg, starting Monday {start}")
    calendar = build_dosing_calendar(protocol, "A", patient, start)
    print_calendar(calendar, calendar)
    out.print("\nScreening three example patients for NCT01416831 (screened 2026-11-20, start 2026-11-23)")
    examples = files("oncotrial.eligibility").joinpath("examples/NCT01416831-patients.yaml")
    with as_file(examples) as path:
        screen_command(protocol="NCT01416831", patients=path, as_of="2026-11-20")
    out.print(f"\nBuilt-in protocols: {', '.join(list_builtin_protocols())}")
