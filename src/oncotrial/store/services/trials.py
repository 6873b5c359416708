"""Trials, protocol versions, sites and users (the admin's operations)."""

from __future__ import annotations

import datetime as dt
import hashlib

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError
from oncotrial.protocol.io import parse_protocol
from oncotrial.store.access import SITE_ROLES, require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.models import ROLES, ProtocolVersion, Site, Trial, User
from oncotrial.store.services._common import find_site, find_trial

__all__ = ["add_protocol_version", "add_site", "add_user", "bootstrap_admin", "create_trial"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _store_protocol(session: Session, trial: Trial, yaml_text: str) -> ProtocolVersion:
    protocol = parse_protocol(yaml.safe_load(yaml_text), source=f"protocol of trial {trial.code}")
    digest = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
    same = session.execute(
        select(ProtocolVersion).where(ProtocolVersion.trial_id == trial.id, ProtocolVersion.sha256 == digest)
    ).scalar_one_or_none()
    if same is not None:
        raise DataError(
            f"trial {trial.code}: this protocol text is already version {same.number} (SHA-256 {digest[:12]}...)",
            code="STORE-E050",
            field="protocol",
        )
    number = (
        session.execute(select(func.max(ProtocolVersion.number)).where(ProtocolVersion.trial_id == trial.id)).scalar()
        or 0
    ) + 1
    version = ProtocolVersion(
        trial_id=trial.id, number=number, protocol_id=protocol.id, yaml_text=yaml_text, sha256=digest, loaded_at=_now()
    )
    session.add(version)
    session.flush()
    return version


def create_trial(
    session: Session, actor: Actor, code: str, *, title: str | None = None, protocol_yaml: str | None = None
) -> Trial:
    """Create a trial, with its protocol stored verbatim (YAML text and SHA-256) when one is given.

    A trial without a protocol holds data from elsewhere (an SDTM import): the protocol checks that need one
    are then not made, and the operations that need one say so.
    """
    require(actor, "manage_trial")
    code = code.strip()
    if not code:
        raise DataError("the trial needs a code (e.g. NCT01416831)", code="STORE-E051", field="trial")
    if session.execute(select(Trial.id).where(Trial.code == code)).first() is not None:
        raise DataError(f"trial {code!r} already exists; choose another code", code="STORE-E052", field="trial")
    protocol = parse_protocol(yaml.safe_load(protocol_yaml), source="protocol") if protocol_yaml else None
    with audit_context(session, actor):
        trial = Trial(code=code, title=title or (protocol.title if protocol else code), created_at=_now())
        session.add(trial)
        session.flush()
        if protocol_yaml is not None:
            trial.current_protocol_id = _store_protocol(session, trial, protocol_yaml).id
            session.flush()
    return trial


def add_protocol_version(
    session: Session, actor: Actor, trial_code: str, protocol_yaml: str, *, reason: str
) -> ProtocolVersion:
    """A new protocol version (an amendment): new patients are enrolled under it; enrolled ones keep theirs."""
    require(actor, "manage_trial")
    trial = find_trial(session, trial_code)
    with audit_context(session, actor, reason):
        version = _store_protocol(session, trial, protocol_yaml)
        trial.current_protocol_id = version.id
        session.flush()
    return version


def add_site(session: Session, actor: Actor, trial_code: str, code: str, *, name: str) -> Site:
    """Add a site to a trial; ``code`` prefixes its subject ids (``01`` gives ``01-0001``)."""
    require(actor, "manage_trial")
    trial = find_trial(session, trial_code)
    if not code.strip() or not code.strip().isalnum():
        raise DataError(f"site code {code!r}: use letters and digits only (e.g. 01)", code="STORE-E053", field="site")
    if session.execute(select(Site.id).where(Site.trial_id == trial.id, Site.code == code)).first() is not None:
        raise DataError(f"trial {trial.code} already has a site {code!r}", code="STORE-E054", field="site")
    with audit_context(session, actor):
        site = Site(trial_id=trial.id, code=code.strip(), name=name)
        session.add(site)
        session.flush()
    return site


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    *,
    role: str,
    full_name: str,
    trial_code: str | None = None,
    site_code: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a member of staff; the site roles (coordinator, investigator) need a trial and site."""
    require(actor, "manage_users")
    if role not in ROLES:
        raise DataError(f"role {role!r}: use one of {', '.join(ROLES)}", code="STORE-E055", field="role")
    if not username.strip() or any(c.isspace() for c in username):
        raise DataError(f"user name {username!r}: one word, no spaces", code="STORE-E056", field="username")
    if session.execute(select(User.id).where(User.username == username)).first() is not None:
        raise DataError(f"user {username!r} already exists", code="STORE-E057", field="username")
    site_id = None
    if role in SITE_ROLES:
        if trial_code is None or site_code is None:
            raise DataError(f"a {role} works at one site: give the trial and the site", code="STORE-E058", field="site")
        site_id = find_site(session, find_trial(session, trial_code), site_code).id
    with audit_context(session, actor):
        user = User(
            username=username, full_name=full_name, role=role, site_id=site_id, active=True, password_hash=password_hash
        )
        session.add(user)
        session.flush()
    return user


def bootstrap_admin(session: Session, username: str, *, full_name: str) -> User:
    """The first admin of a new database (audited as ``system``); refused once any user exists."""
    if session.execute(select(User.id).limit(1)).first() is not None:
        raise DataError(
            "the database already has users; an admin adds more with `oncotrial user add`",
            code="STORE-E059",
            field="username",
        )
    from oncotrial.store.audit import SYSTEM

    with audit_context(session, SYSTEM):
        user = User(username=username, full_name=full_name, role="admin", site_id=None, active=True)
        session.add(user)
        session.flush()
    return user
