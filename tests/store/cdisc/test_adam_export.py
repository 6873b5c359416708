"""``export_adam``'s permission check; its equality with the file commands is tested in
tests/cli/test_store_adam_equals_file_commands.py (it runs ``oncotrial``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from oncotrial.store.cdisc.adam import export_adam


def test_export_adam_refuses_a_role_without_the_export_permission(imported: tuple[Store, Actor, ImportReport]) -> None:
    """Exports are the statistician's (oncotrial.store.access): the monitor is refused, naming the role needed."""
    from oncotrial.errors import AccessError
    from oncotrial.store import services

    store, _, _ = imported
    with store.read() as session:
        monitor = services.actor_for(session, "monitor")
        with pytest.raises(AccessError, match="statistician"):
            export_adam(session, monitor, "CDISCPILOT01", Path("unused"))
