"""What the route modules share: the store dependency, rendering a page, and JSON-ready values."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from oncotrial.errors import DataError
from oncotrial.store import Store
from oncotrial.store.access import PERMISSIONS
from oncotrial.store.audit import Actor

__all__ = ["StoreDep", "can", "plain", "render", "require_fields"]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


def can(actor: Actor, permission: str) -> bool:
    """Whether to offer an action on a page (the service checks again when it is used)."""
    return actor.role in PERMISSIONS[permission]


def render(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """The page ``name`` (a template) with ``context``; the acting user, if any, is ``actor``."""
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    return response


def plain(value: Any) -> Any:
    """A result (dataclasses, dates, lists, dicts) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def require_fields(values: dict[str, Any], subject_id: str) -> None:
    """Refuse an API body without one of ``values`` (by name), naming the field: the bodies' fields are optional,
    so that a user who may not enter data for the patient is refused before any field is checked."""
    for name, value in values.items():
        if value is None:
            raise DataError(f"patient {subject_id}: give {name}", code="WEB-E020", field=name, subject_id=subject_id)
