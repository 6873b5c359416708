"""The web app for trial staff (FastAPI, server-rendered Jinja2 pages, htmx where it saves a reload).

:func:`create_app` builds it from :class:`Settings`; ``oncotrial serve`` runs it with uvicorn. Every change goes
through :mod:`oncotrial.store.services`, which check the role, the site and the protocol: the pages and the
JSON API (under ``/api``) cannot differ.
"""

from oncotrial.web.app import create_app
from oncotrial.web.settings import Settings, load_secret_key

__all__ = ["Settings", "create_app", "load_secret_key"]
