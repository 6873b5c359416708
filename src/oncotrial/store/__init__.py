"""The trial database (issue 12): SQLAlchemy 2 models, Alembic migrations, the audit trail, and the service
layer where roles, sites and protocol limits are enforced once.

::

    store = open_store(resolve_url(None, os.environ))    # sqlite:///oncotrial.db by default
    with store.write() as session:                         # one operation, one transaction
        actor = actor_for(session, "jsmith")
        enrol_patient(session, actor, "NCT01416831", enrolled_on=date(2026, 11, 2))

Nothing is built at import: :func:`open_store` builds the engine.
"""

from oncotrial.store.audit import Actor, ChainReport, verify_chain
from oncotrial.store.engine import DEFAULT_URL, Store, open_store, resolve_url

__all__ = ["DEFAULT_URL", "Actor", "ChainReport", "Store", "open_store", "resolve_url", "verify_chain"]
