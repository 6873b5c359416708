"""Entry point of the ``oncotrial`` command.

Exit codes: 0 success, 1 bad input (a clear message, never a traceback), 2 usage error, 3 a bug.
"""

from __future__ import annotations

import errno
import os
import sys
import warnings
from datetime import date, timedelta
from importlib.resources import as_file, files

import typer

from oncotrial.cli import design as design_cli
from oncotrial.cli import protocol as protocol_cli
from oncotrial.cli.adtte import adtte_command
from oncotrial.cli.common import err, guard_outputs, out
from oncotrial.cli.endpoints import km_command, rates_command
from oncotrial.cli.recist import recist_command
from oncotrial.cli.schedule import print_calendar, schedule_command
from oncotrial.cli.screen import screen_command
from oncotrial.dosing import Patient, build_dosing_calendar, compute_next_weekday
from oncotrial.errors import TrialError, TrialWarning
from oncotrial.protocol import Weekday, list_builtin_protocols, load_builtin_protocol

app = typer.Typer(
    name="oncotrial",
    help="Phase II cancer immunotherapy trials: protocols, dosing calendars and more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(protocol_cli.app, name="protocol")
app.add_typer(design_cli.app, name="design")
app.command("schedule")(schedule_command)
app.command("recist")(recist_command)
app.command("adtte")(adtte_command)
app.command("km")(km_command)
app.command("rates")(rates_command)
app.command("screen")(screen_command)


@app.command("demo")
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


def _show_warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    """A warning as one line for the user ("Warning: ..."), without Python's file and line."""
    err.print(f"Warning: {message}", markup=False)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 bad input, 2 usage)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", TrialWarning)  # every caveat is shown, each time it applies
            warnings.showwarning = _show_warning
            guard_outputs(app)(args=argv, prog_name="oncotrial")  # no command overwrites its own input
    except SystemExit as exc:  # typer (click) ends every run with SystemExit in standalone mode
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return code or _flush_stdout()
    except TrialError as exc:
        err.print(f"Error: {exc.message}", markup=False)
        return 1
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        return _report_unwritable(exc)
    return _flush_stdout()


def _flush_stdout() -> int:
    """Flush standard output: 0, or 1 with a clear message when it cannot be written."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        return _report_unwritable(exc)
    return 0


def _report_unwritable(exc: OSError) -> int:
    _silence_stdout()
    err.print(f"Error: cannot write the output: {exc.strerror or exc}. Free some space or write to another file.")
    return 1


# Failures to write standard output: the disk is full (or over quota), or the reader closed the pipe.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE}


def _silence_stdout() -> None:
    """Send what is left of standard output nowhere, so that Python's own flush at exit cannot fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's capture): nothing is left
        pass


def run() -> None:
    """Console-script entry point: an unexpected failure is reported in one line, not a traceback.

    Exit code 3 means a bug in oncotrial; ``ONCOTRIAL_DEBUG=1`` shows the traceback.
    """
    try:
        code = main()
    except Exception as exc:  # last resort at the user-facing edge: no traceback reaches a user
        if os.environ.get("ONCOTRIAL_DEBUG"):
            raise
        err.print(
            f"Internal error in oncotrial ({type(exc).__name__}: {exc}). This is a bug: please report it with the "
            "command you ran (set ONCOTRIAL_DEBUG=1 to see the details).",
            markup=False,
        )
        code = 3
    sys.exit(code)


if __name__ == "__main__":
    run()
