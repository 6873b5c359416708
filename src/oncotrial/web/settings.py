"""The web app's settings, given to :func:`oncotrial.web.create_app` (never read at import).

The secret key signs the session cookies and derives the CSRF tokens. When none is given, it is read from
``secret_key_file`` (default ``oncotrial-web.key`` in the working folder), and on the first start generated
there (32 random bytes, readable by the owner only); it is never committed, and several processes of the app
started in the same folder share it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from oncotrial.errors import StoreError

__all__ = ["DEFAULT_KEY_FILE", "Settings", "load_secret_key"]

DEFAULT_KEY_FILE = Path("oncotrial-web.key")


@dataclass(frozen=True)
class Settings:
    """How the app runs.

    Parameters
    ----------
    db_url
        The trial database (``sqlite:///PATH`` or ``postgresql+psycopg://...``).
    secret_key
        Signs session cookies; when None, :func:`load_secret_key` reads (or makes) ``secret_key_file``.
    session_idle_minutes
        A session ends after this long without a request (default 8 hours).
    https
        Served over https: the session cookie is marked ``Secure`` (sent over https only).
    """

    db_url: str
    secret_key: str | None = None
    secret_key_file: Path = DEFAULT_KEY_FILE
    session_idle_minutes: int = 8 * 60
    https: bool = False


def load_secret_key(settings: Settings) -> str:
    """The settings' secret key, else the one in ``secret_key_file``, made there on the first start."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_file
    try:
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) >= 32:
                return key
        key = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(key + "\n")
    except OSError as exc:
        raise StoreError(
            f"the web app's secret key file {path} cannot be read or written ({exc.strerror}); give a writable "
            "place with --key-file",
            code="WEB-E001",
            field="key_file",
        ) from exc
    return key
