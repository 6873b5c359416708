"""The statistician's exports: the trial's SDTM domains or ADaM datasets (``export_sdtm``, ``export_adam``), as
CSV, Parquet or SAS XPT, zipped into one download. The files are written into a temporary directory, zipped
there, streamed from disk, and the directory is removed once the answer is sent. Who may export is the store's
decision (the ``export`` permission: the statistician; site roles are refused)."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from oncotrial.store import Store
from oncotrial.store.audit import Actor
from oncotrial.store.cdisc.adam import export_adam
from oncotrial.store.cdisc.exporting import FORMATS, Format, check_export_for, export_sdtm
from oncotrial.web.routes._common import StoreDep, render
from oncotrial.web.security import CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: exports"])
api = APIRouter(tags=["exports"])

Kind = Literal["sdtm", "adam"]
Exporter = Callable[..., Mapping[str, Path]]
EXPORTERS: dict[str, Exporter] = {"sdtm": export_sdtm, "adam": export_adam}
FormatQuery = Annotated[Format, Query(description="csv, parquet or xpt (SAS transport version 5)")]
NOT_IN_A_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _zipped(store: Store, actor: Actor, trial: str, kind: Kind, format: Format) -> FileResponse:
    """The export of ``kind`` in one zip file, streamed from a temporary directory removed after the answer."""
    directory = Path(tempfile.mkdtemp(prefix="oncotrial-export-"))
    try:
        with store.read() as session:
            files = _export(session, actor, trial, kind, format, directory / kind)
        archive = directory / "export.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for path in files.values():
                zipped.write(path, arcname=path.name)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    name = NOT_IN_A_FILE_NAME.sub("_", f"{trial}-{kind}-{format}.zip")
    cleanup = BackgroundTask(shutil.rmtree, directory, ignore_errors=True)
    return FileResponse(archive, media_type="application/zip", filename=name, background=cleanup)


def _export(session: Session, actor: Actor, trial: str, kind: Kind, format: Format, into: Path) -> Mapping[str, Path]:
    return EXPORTERS[kind](session, actor, trial, into, format=format)


@pages.get("/trials/{trial}/exports", response_class=HTMLResponse, summary="The trial's SDTM and ADaM exports")
def exports_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str) -> HTMLResponse:
    with store.read() as session:
        check_export_for(session, auth.actor, trial)
    return render(request, "exports.html", {"actor": auth.actor, "trial": trial, "formats": FORMATS})


def _download(kind: Kind) -> Callable[..., FileResponse]:
    def download(auth: CurrentAuth, store: StoreDep, trial: str, format: FormatQuery = "csv") -> FileResponse:
        return _zipped(store, auth.actor, trial, kind, format)

    return download


CONTENTS: dict[Kind, str] = {
    "sdtm": "SDTM domains (DM, DS, EX, AE, LB, PC, TU, TR, RS)",
    "adam": "ADaM datasets (ADSL, ADRS, ADTTE)",
}
for _kind, _what in CONTENTS.items():
    # the page's download and its /api twin answer the same zip file
    pages.add_api_route(
        f"/trials/{{trial}}/exports/{_kind}.zip",
        _download(_kind),
        methods=["GET"],
        name=f"{_kind}_download",
        summary=f"Download the trial's {_what}, zipped",
        response_class=FileResponse,
    )
    api.add_api_route(
        f"/trials/{{trial}}/exports/{_kind}",
        _download(_kind),
        methods=["GET"],
        name=f"{_kind}_export",
        summary=f"The trial's {_what}, zipped",
        response_class=FileResponse,
    )
