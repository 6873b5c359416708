"""Who may do what: the roles' permissions as a table, and the site check. Every service function calls
:func:`require` on its first line, so the CLI and the web app cannot differ.

=============  =========  ==================================================================
role           sites      may
=============  =========  ==================================================================
coordinator    own site   enter data (enrol, consent, screen, doses, assessments, AEs, ...)
investigator   own site   what a coordinator may, randomise and correct a randomisation, sign off eligibility
                          and tumour assessments
monitor        all        read, read the audit trail, raise and close data queries
statistician   all        read (no identifying data), export, import a data set from elsewhere, raise and close
                          data queries
admin          all        create trials, sites and users; no clinical data entry
=============  =========  ==================================================================

Data queries are answered by the site roles (``enter_data``).

Choice: importing an SDTM set from another system is the statistician's work (a data load, not entry at a
site), so it is granted to the statistician, and not to the site roles.
"""

from __future__ import annotations

from types import MappingProxyType

from oncotrial.errors import AccessError
from oncotrial.store.audit import Actor

__all__ = ["PERMISSIONS", "SITE_ROLES", "require", "require_site"]

SITE_ROLES = frozenset({"coordinator", "investigator"})

PERMISSIONS = MappingProxyType(
    {
        "manage_trial": frozenset({"admin"}),
        "manage_users": frozenset({"admin"}),
        "enter_data": frozenset({"coordinator", "investigator"}),
        "randomise": frozenset({"investigator"}),
        "correct_randomisation": frozenset({"investigator"}),
        "read": frozenset({"coordinator", "investigator", "monitor", "statistician", "admin"}),
        "read_identity": frozenset({"coordinator", "investigator", "monitor"}),
        "read_audit": frozenset({"monitor", "admin", "statistician"}),
        "export": frozenset({"statistician"}),
        "import": frozenset({"statistician"}),
        "read_allocation": frozenset({"statistician", "admin"}),
        "raise_query": frozenset({"monitor", "statistician"}),
        "sign_off": frozenset({"investigator"}),
    }
)


def require(actor: Actor, permission: str) -> None:
    """Refuse unless ``actor``'s role has ``permission``."""
    allowed = PERMISSIONS[permission]
    if actor.role not in allowed:
        roles = ", ".join(sorted(allowed))
        raise AccessError(
            f"user {actor.username!r} ({actor.role}) may not {permission.replace('_', ' ')}; this needs the role "
            f"{roles}",
            code="ACCESS-E001",
            field="user",
        )


def require_site(actor: Actor, site_id: int, *, subject_id: str | None = None) -> None:
    """Refuse a site role acting on another site's patient (or site)."""
    if actor.role in SITE_ROLES and actor.site_id != site_id:
        what = f"patient {subject_id}" if subject_id else "this site"
        raise AccessError(
            f"user {actor.username!r} works at another site and may not read or change {what}",
            code="ACCESS-E002",
            field="site",
            subject_id=subject_id,
        )
