"""Entry point of the ``oncotrial`` command.

Exit codes: 0 success, 1 bad input (a clear message, never a traceback), 2 usage error, 3 a bug.

Start-up: a command imports only what it uses. The commands are listed here by name, module and one line of
help, and a command's module (with pandas, scipy and the domain packages it needs) is imported only when that
command runs, so ``oncotrial --help`` imports none of them. Click has no lazy command of its own, hence
``_LazyCommand`` (the pattern of click's documentation on lazily loaded subcommands).
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import warnings
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from oncotrial import __version__
from oncotrial.cli.common import err, guard_outputs
from oncotrial.errors import TrialError, TrialWarning

# name: (module, attribute, one line of help). The attribute is a typer.Typer (a group of subcommands) or a
# command function.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "protocol": (
        "oncotrial.cli.protocol",
        "app",
        "Protocols as data: list the built-in ones, show one, validate a file.",
    ),
    "design": (
        "oncotrial.cli.design",
        "app",
        "Trial design: Simon two-stage, single-stage, inference, monitoring, selection, Bayesian.",
    ),
    "schedule": (
        "oncotrial.cli.schedule",
        "schedule_command",
        "The dosing calendar of a patient on an arm of a protocol.",
    ),
    "screen": (
        "oncotrial.cli.screen",
        "screen_command",
        "Screen patient records against a protocol's eligibility criteria.",
    ),
    "recist": (
        "oncotrial.cli.recist",
        "recist_command",
        "RECIST 1.1 time-point responses and ADRS, from TU/TR or RS tables.",
    ),
    "adtte": ("oncotrial.cli.adtte", "adtte_command", "ADTTE (OS, PFS, TTP, DOR, DSD) from ADSL and ADRS."),
    "km": ("oncotrial.cli.endpoints", "km_command", "Kaplan-Meier estimates, log-rank test and Cox hazard ratio."),
    "cox": (
        "oncotrial.cli.endpoints",
        "cox_command",
        "Cox proportional hazards: several covariates, categorical levels, strata.",
    ),
    "rates": ("oncotrial.cli.endpoints", "rates_command", "Response rates with exact or score intervals, by group."),
    "pk": ("oncotrial.cli.pk", "app", "Pharmacokinetics: non-compartmental analysis (NCA) equal to PKNCA."),
    "safety": (
        "oncotrial.cli.safety",
        "app",
        "Safety: CTCAE v5 lab grades (equal to admiral), adverse-event tables, dose-limiting toxicity.",
    ),
    "biomarker": (
        "oncotrial.cli.biomarker",
        "app",
        "Biomarker kinetics (e.g. IFN-γ): per patient and cycle, summaries, paired tests.",
    ),
    "demo": ("oncotrial.cli.demo", "demo_command", "The end-to-end demo."),
    "simulate": (
        "oncotrial.cli.simulate",
        "simulate_command",
        "Virtual trials of a protocol under a scenario: operating characteristics, in process or on Dask.",
    ),
    # the trial database (issue 12): --db URL (else ONCOTRIAL_DB), --as USER (else ONCOTRIAL_USER)
    "db": ("oncotrial.cli.db", "app", "The trial database: create its schema, upgrade it, show its state."),
    "trial": (
        "oncotrial.cli.trial",
        "app",
        "Trials in the database: create one with its protocol, draw its allocation.",
    ),
    "site": ("oncotrial.cli.site", "app", "Sites of a trial."),
    "user": ("oncotrial.cli.user", "app", "Staff: users with a role, and a site for the site roles."),
    "patient": ("oncotrial.cli.patient", "app", "Patients: enrol, consent, screen, randomise, delete."),
    "dose": ("oncotrial.cli.dose", "app", "Doses: the treatment start, then each dose given, held or delayed."),
    "assessment": (
        "oncotrial.cli.assessment",
        "app",
        "Tumour assessments: baseline lesions, then each visit's measurements (RECIST 1.1).",
    ),
    "ae": ("oncotrial.cli.ae", "app", "Adverse events: CTCAE term and grade, dates, attribution, action taken."),
    "query": ("oncotrial.cli.query", "app", "Data queries: the monitor asks, the site answers, the monitor closes."),
    "export": (
        "oncotrial.cli.export",
        "app",
        "Export a trial from the database: SDTM domains, ADaM datasets or ClinicalTrials.gov results.",
    ),
    "import": ("oncotrial.cli.importing", "app", "Import an SDTM set into the database, through data entry's checks."),
    "report": (
        "oncotrial.cli.report",
        "report_command",
        "The trial report: tables and figures as HTML and PDF, from the database or from files.",
    ),
    "audit": ("oncotrial.cli.audit", "app", "The audit trail: verify it, show a patient's history."),
    "serve": ("oncotrial.cli.serve", "serve_command", "Run the web app for trial staff on the trial database."),
}


def load_command_app(name: str) -> typer.Typer:
    """The typer app of command ``name`` (its module imported now, not at start-up), guarded so that no
    output it writes is one of its inputs (:func:`oncotrial.cli.common.guard_outputs`)."""
    module_name, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        target = single
    return guard_outputs(target)


class _LazyCommand(TyperCommand):
    """A command whose real definition is imported only when it is run (or its own help is asked for)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, help=COMMANDS[name][2], short_help=COMMANDS[name][2])

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        return typer.main.get_command(load_command_app(self.name or "")).make_context(
            info_name, args, parent=parent, **extra
        )


class _LazyGroup(TyperGroup):
    """The top-level group: the commands of ``COMMANDS``, each imported when it is run."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return _LazyCommand(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    name="oncotrial",
    cls=_LazyGroup,
    help="Phase II cancer immunotherapy trials: protocols, designs, screening, dosing calendars, RECIST and survival.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"oncotrial {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Phase II cancer immunotherapy trials: protocols, designs, screening, dosing calendars, RECIST and survival."""


def _show_warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    """A warning as one line for the user ("Warning: ..."), without Python's file and line."""
    err.print(f"Warning: {message}", markup=False)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 bad input, 2 usage)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", TrialWarning)  # every caveat is shown, each time it applies
            warnings.showwarning = _show_warning
            app(args=argv, prog_name="oncotrial")
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
