"""The trial list and a trial's dashboard."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from oncotrial.store.services import list_trials, trial_dashboard
from oncotrial.web.routes._common import StoreDep, plain, render
from oncotrial.web.security import CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: trials"])
api = APIRouter(tags=["trials"])


@pages.get("/", response_class=HTMLResponse, summary="Your trials")
def trials_page(request: Request, auth: CurrentAuth, store: StoreDep) -> HTMLResponse:
    with store.read() as session:
        trials = list_trials(session, auth.actor)
    return render(request, "trials.html", {"actor": auth.actor, "trials": trials})


@pages.get("/trials/{trial}", response_class=HTMLResponse, summary="A trial's dashboard")
def dashboard_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str) -> HTMLResponse:
    with store.read() as session:
        board = trial_dashboard(session, auth.actor, trial)
    return render(request, "dashboard.html", {"actor": auth.actor, "board": board})


@api.get("/trials", summary="Your trials")
def trials(auth: CurrentAuth, store: StoreDep) -> list[dict[str, Any]]:
    with store.read() as session:
        return [plain(row) for row in list_trials(session, auth.actor)]


@api.get("/trials/{trial}", summary="A trial's dashboard: enrolment by site and arm, Simon status, responses")
def dashboard(auth: CurrentAuth, store: StoreDep, trial: str) -> dict[str, Any]:
    with store.read() as session:
        return plain(trial_dashboard(session, auth.actor, trial))  # type: ignore[no-any-return]
