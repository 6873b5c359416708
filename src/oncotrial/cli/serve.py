"""``oncotrial serve``: run the web app for trial staff with uvicorn (the web modules are imported only here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial.cli.common import naming_options
from oncotrial.cli.database import DbOption, opened_store


def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on (127.0.0.1: this machine only).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8000,
    key_file: Annotated[
        Path,
        typer.Option("--key-file", help="The secret key that signs sessions (made on the first start if missing)."),
    ] = Path("oncotrial-web.key"),
    https: Annotated[
        bool, typer.Option("--https", help="Served over https (by a proxy in front): session cookies are Secure.")
    ] = False,
    session_hours: Annotated[
        float, typer.Option("--session-hours", min=0.1, help="A session ends after this long without a request.")
    ] = 8.0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (one per core serves the most users).")
    ] = 1,
) -> None:
    """Run the web app on the trial database: log in at http://HOST:PORT/ (set passwords with `oncotrial user
    password`)."""
    import uvicorn

    from oncotrial.web import Settings, create_app, load_secret_key

    with naming_options({"db": "--db", "key_file": "--key-file"}), opened_store(db) as store:
        url = store.url  # checked: the file exists and its schema is current
        settings = Settings(
            db_url=url, secret_key_file=key_file, https=https, session_idle_minutes=round(session_hours * 60)
        )
        load_secret_key(settings)  # made now, so that a key file that cannot be written is said before start
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    # several processes: each worker builds its app from the settings handed down in its environment (uvicorn
    # starts workers by importing a factory; the key is in the key file made above, never in the environment)
    os.environ[SETTINGS_ENV] = json.dumps(
        {"db_url": url, "key_file": str(key_file), "https": https, "minutes": settings.session_idle_minutes}
    )
    target = f"{__name__}:app_for_worker"
    uvicorn.run(target, factory=True, host=host, port=port, workers=workers, log_level="info")


SETTINGS_ENV = "ONCOTRIAL_SERVE_SETTINGS"


def app_for_worker() -> Any:
    """The app of one worker process of ``oncotrial serve --workers N`` (uvicorn's factory)."""
    from oncotrial.web import Settings, create_app

    given = json.loads(os.environ[SETTINGS_ENV])
    settings = Settings(
        db_url=given["db_url"],
        secret_key_file=Path(given["key_file"]),
        https=given["https"],
        session_idle_minutes=given["minutes"],
    )
    return create_app(settings)
