"""``oncotrial.store.services.auth``: passwords kept as argon2 hashes, log-in and log-out audited under the user's
name, the throttle after repeated failures (held in the database), and personal access tokens stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from oncotrial.errors import AccessError, DataError, NotFoundError
from oncotrial.store import Store, services, verify_chain
from oncotrial.store.models import ApiToken, AuditEntry, LoginFailure, User, WebSession

PASSWORD = "correct horse battery"


def set_password(store: Store, username: str, password: str = PASSWORD, *, by: str = "admin") -> None:
    with store.write() as session:
        services.set_password(session, services.actor_for(session, by), username, password)


def log_in(store: Store, username: str, password: str = PASSWORD, address: str = "10.0.0.1") -> services.LogIn:
    with store.write() as session:
        return services.log_in(session, username, password, address=address)


def entries(store: Store, table: str) -> list[tuple[str, str, str | None]]:
    with store.read() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.reason)
            .where(AuditEntry.table_name == table)
            .order_by(AuditEntry.seq)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_password_is_stored_as_an_argon2id_hash_never_as_text(trial_store: Store) -> None:
    set_password(trial_store, "coord1")
    with trial_store.read() as session:
        stored = session.execute(select(User.password_hash).where(User.username == "coord1")).scalar_one()
    assert stored is not None
    assert stored.startswith("$argon2id$")  # RFC 9106's variant, argon2-cffi's default
    assert PASSWORD not in stored


def test_the_audit_trail_keeps_a_digest_of_the_password_hash_never_the_hash(trial_store: Store) -> None:
    """The update entry of ``app_user`` holds ``sha256:`` + SHA-256 of the stored argon2 hash (computed here with
    hashlib from the raw row), not the hash; changing the hash behind the application's back is still found."""
    set_password(trial_store, "coord1")
    with trial_store.read() as session:
        stored = session.execute(select(User.password_hash).where(User.username == "coord1")).scalar_one()
        new_values = (
            session.execute(
                select(AuditEntry.new_values)
                .where(AuditEntry.table_name == "app_user", AuditEntry.action == "update")
                .order_by(AuditEntry.seq.desc())
            )
            .scalars()
            .first()
        )
        assert verify_chain(session).ok
    assert stored is not None
    assert new_values is not None
    assert stored not in new_values
    assert f'"password_hash":"sha256:{hashlib.sha256(stored.encode()).hexdigest()}"' in new_values
    with trial_store.engine.begin() as conn:  # raw SQL, as someone with the database's password could
        conn.execute(update(User).where(User.username == "coord1").values(password_hash="$argon2id$forged"))
    with trial_store.read() as session:
        report = verify_chain(session)
    assert report.problem is not None
    assert report.problem.table_name == "app_user"


def test_a_short_password_is_refused_with_the_length_needed(trial_store: Store) -> None:
    with pytest.raises(DataError, match="has 5 characters; give at least 10") as info:
        set_password(trial_store, "coord1", "short")
    assert (info.value.code, info.value.field) == ("AUTH-E002", "password")


def test_only_an_admin_sets_another_users_password_and_a_user_sets_their_own(trial_store: Store) -> None:
    with pytest.raises(AccessError, match="may not manage users"):
        set_password(trial_store, "coord2", by="coord1")
    set_password(trial_store, "coord1", by="coord1")
    assert log_in(trial_store, "coord1").check()[0].username == "coord1"


def test_log_in_and_log_out_are_audited_naming_the_user(trial_store: Store) -> None:
    set_password(trial_store, "inv1")
    actor, session_id = log_in(trial_store, "inv1").check()
    assert (actor.username, actor.role) == ("inv1", "investigator")
    with trial_store.write() as session:
        assert services.actor_for_session(session, session_id) == actor
        services.end_session(session, session_id)
    with trial_store.read() as session:
        assert services.actor_for_session(session, session_id) is None
    assert entries(trial_store, "web_session") == [("inv1", "insert", None), ("inv1", "update", "logged out")]


def test_the_session_id_is_new_at_every_log_in_and_only_its_sha256_is_stored(trial_store: Store) -> None:
    set_password(trial_store, "inv1")
    first = log_in(trial_store, "inv1").check()[1]
    second = log_in(trial_store, "inv1").check()[1]
    assert first != second
    with trial_store.read() as session:
        stored = set(session.execute(select(WebSession.id_sha256)).scalars())
    assert stored == {hashlib.sha256(s.encode()).hexdigest() for s in (first, second)}


@pytest.mark.parametrize("username", ["inv1", "nobody"], ids=["wrong_password", "unknown_user"])
def test_a_failed_log_in_is_refused_in_the_same_words_and_recorded(trial_store: Store, username: str) -> None:
    set_password(trial_store, "inv1")
    attempt = log_in(trial_store, username, "not the password")
    with pytest.raises(AccessError, match="the user name or the password is wrong") as info:
        attempt.check()
    assert info.value.code == "AUTH-E003"
    assert entries(trial_store, "login_failure") == [(username, "insert", None)]


def test_a_user_without_a_password_cannot_log_in(trial_store: Store) -> None:
    with pytest.raises(AccessError, match="password is wrong"):
        log_in(trial_store, "monitor", "anything at all").check()


def test_five_failures_pause_the_user_name_and_say_for_how_long(trial_store: Store) -> None:
    """5 failures in 15 minutes (MAX_FAILURES_PER_USER, THROTTLE_WINDOW): the 6th try, even with the right
    password, is refused; the oldest failure was just now, so the wait is the whole 15 minutes."""
    set_password(trial_store, "inv1")
    for _ in range(5):
        assert log_in(trial_store, "inv1", "wrong password").refusal is not None
    with pytest.raises(AccessError, match=r"5 failed log-ins this user .* try again in 15 minutes") as info:
        log_in(trial_store, "inv1")
    assert info.value.code == "AUTH-E004"
    assert log_in(trial_store, "coord1", "wrong password").refusal is not None  # another user: not paused


def test_the_pause_ends_when_the_failures_leave_the_window(trial_store: Store) -> None:
    set_password(trial_store, "inv1")
    for _ in range(5):
        log_in(trial_store, "inv1", "wrong password")
    with trial_store.engine.begin() as conn:  # as if they were 14 and then 16 minutes ago
        conn.execute(
            update(LoginFailure).values(at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=14))
        )
    with pytest.raises(AccessError, match=r"try again in 1 minute$"):
        log_in(trial_store, "inv1")
    with trial_store.engine.begin() as conn:
        conn.execute(
            update(LoginFailure).values(at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=16))
        )
    assert log_in(trial_store, "inv1").check()[0].username == "inv1"


def test_twenty_failures_from_one_address_pause_that_address(trial_store: Store) -> None:
    set_password(trial_store, "inv1")
    for number in range(20):
        log_in(trial_store, f"guess{number}", "wrong password", address="10.9.9.9")
    with pytest.raises(AccessError, match="20 failed log-ins here"):
        log_in(trial_store, "inv1", address="10.9.9.9")
    assert log_in(trial_store, "inv1", address="10.0.0.2").check()[0].username == "inv1"


def test_a_token_is_shown_once_stored_as_sha256_used_and_revoked(trial_store: Store) -> None:
    with trial_store.write() as session:
        info, token = services.create_token(session, services.actor_for(session, "stat"), "nightly export")
    with trial_store.read() as session:
        stored = session.execute(select(ApiToken.token_sha256)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    with trial_store.write() as session:
        owner = services.actor_for_token(session, token)
        assert owner is not None
        assert (owner.actor.username, owner.use_due) == ("stat", True)  # never used yet
        services.note_token_use(session, token)
    with trial_store.write() as session:
        owner = services.actor_for_token(session, token)
        assert owner is not None
        assert owner.use_due is False  # noted a moment ago: not again within the hour
        services.note_token_use(session, token)  # writes nothing
    with trial_store.write() as session:
        with pytest.raises(NotFoundError, match=f"you have no token {info.id}"):
            services.revoke_token(session, services.actor_for(session, "monitor"), info.id)
    with trial_store.write() as session:
        services.revoke_token(session, services.actor_for(session, "stat"), info.id)
    with trial_store.write() as session:
        assert services.actor_for_token(session, token) is None
        assert services.actor_for_token(session, "otk_made-up") is None
    assert [action for _, action, _ in entries(trial_store, "api_token")] == ["insert", "update", "update"]


def test_a_password_changed_between_the_check_and_the_session_opens_no_session(trial_store: Store) -> None:
    """The web app checks the password (argon2) in a read transaction and opens the session in a write
    transaction after it: a password changed in between makes the log-in a failure, recorded as one."""
    set_password(trial_store, "inv1")
    with trial_store.read() as session:
        check = services.check_password(session, "inv1", PASSWORD, address="10.0.0.1")
    assert check.matches
    set_password(trial_store, "inv1", "a new password of inv1")
    with trial_store.write() as session:
        attempt = services.open_session(session, check)
    with pytest.raises(AccessError, match="wrong"):
        attempt.check()
    with trial_store.read() as session:
        assert session.execute(select(WebSession.id)).first() is None
        assert session.execute(select(LoginFailure.username)).scalars().all() == ["inv1"]


def test_the_user_of_a_session_or_a_token_is_read_in_one_query(trial_store: Store) -> None:
    """Asked on every request: one SELECT each (session or token joined with its user), not one per table."""
    from sqlalchemy import event

    set_password(trial_store, "coord1")
    _actor, session_id = log_in(trial_store, "coord1").check()
    with trial_store.write() as session:
        _info, token = services.create_token(session, services.actor_for(session, "coord1"), "export")
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(trial_store.engine, "before_cursor_execute", note)
    try:
        with trial_store.read() as session:
            by_session = services.actor_for_session(session, session_id)
            by_token = services.actor_for_token(session, token)
    finally:
        event.remove(trial_store.engine, "before_cursor_execute", note)
    assert by_session is not None
    assert by_session.username == "coord1"
    assert by_token is not None
    assert (by_token.actor.username, by_token.use_due) == ("coord1", True)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_no_more_password_checks_run_at_once_than_there_are_cores(
    trial_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight log-ins at once with a limit of two: at most two argon2 checks run together (each takes 64 MiB and
    the cores), the others wait their turn, and all eight log in."""
    import threading
    import time

    from oncotrial.store.services import auth

    set_password(trial_store, "coord1")
    real = auth._HASHER
    running, most = [0], [0]
    lock = threading.Lock()

    class Counting:
        def verify(self, hashed: str, password: str) -> bool:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            try:
                return real.verify(hashed, password)
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(auth, "_HASHER", Counting())
    monkeypatch.setattr(auth, "_HASHING", threading.BoundedSemaphore(2))
    results: list[bool] = []

    def check() -> None:
        with trial_store.read() as session:
            results.append(services.check_password(session, "coord1", PASSWORD, address="10.0.0.1").matches)

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8
    assert most[0] == 2
