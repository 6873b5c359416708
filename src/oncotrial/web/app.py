"""The application factory: :func:`create_app` builds the store, the templates and the routes from
:class:`~oncotrial.web.settings.Settings` (nothing is built at import).

Routes live in one module per area under :mod:`oncotrial.web.routes`, each with its pages and their JSON twins
under ``/api``; later areas (dosing, assessments, adverse events, audit, exports) add a module each.
``/openapi.json`` and ``/docs`` answer logged-in users only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from oncotrial.store import open_store
from oncotrial.web.errors import install_error_handlers
from oncotrial.web.routes import (
    assessments,
    audit,
    auth,
    dosing,
    enrolment,
    exports,
    followup,
    patients,
    queries,
    report,
    safety,
    signoffs,
    trials,
)
from oncotrial.web.routes._common import can
from oncotrial.web.security import COOKIE, CurrentAuth, SessionCodec, csrf_token, set_session_cookie
from oncotrial.web.settings import Settings, load_secret_key

__all__ = ["create_app"]

PACKAGE = Path(str(files("oncotrial.web")))


def _template_globals(templates: Jinja2Templates) -> None:
    def day(value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return "" if value is None else str(value)

    templates.env.filters["day"] = day
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["can"] = can  # which actions a page offers (the services check again)


def _cookie_refresher(app: FastAPI, settings: Settings) -> None:
    """Re-issue the session cookie on every answer to a logged-in request (the idle time starts again)."""

    @app.middleware("http")
    async def refresh(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        session_id = getattr(request.state, "session_id", None)
        if session_id and COOKIE not in response.headers.get("set-cookie", ""):
            set_session_cookie(response, request, session_id)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _documents(app: FastAPI) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    def openapi(auth: CurrentAuth) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(auth: CurrentAuth) -> HTMLResponse:
        # Swagger UI from the package's static files, not FastAPI's default CDN
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="oncotrial API",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


def create_app(settings: Settings) -> FastAPI:
    """The web app on the database of ``settings.db_url`` (its schema must be current)."""
    store = open_store(settings.db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    app = FastAPI(
        title="oncotrial", version="0.1.0", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.store = store
    app.state.codec = SessionCodec(load_secret_key(settings), settings.session_idle_minutes * 60)
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    _template_globals(templates)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    install_error_handlers(app)
    _cookie_refresher(app, settings)
    _documents(app)
    for module in (
        auth,
        trials,
        patients,
        safety,
        dosing,
        assessments,
        enrolment,
        followup,
        audit,
        exports,
        queries,
        report,
        signoffs,
    ):
        app.include_router(module.pages)
        app.include_router(module.api, prefix="/api")
    return app
