"""Sign-in, lockout, sessions, tokens and user management against in-memory ports."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest

from orderforge.adapters.attempts import LimitsAttemptLimiter
from orderforge.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from orderforge.domain.user import Role
from orderforge.services import credentials, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

PASSWORD = "right-password"


class CountingHasher(PlainHasher):
    """Counts the costly calls, and fails a test if one runs inside a transaction."""

    def __init__(self, uow: TrackedUnitOfWork) -> None:
        self.uow = uow
        self.hashes = 0
        self.verifications = 0

    def hash(self, password: str) -> str:
        assert not self.uow.open, "hashing inside a transaction holds the database lock"
        self.hashes += 1
        return super().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        assert not self.uow.open, "hash verification inside a transaction"
        self.verifications += 1
        return super().verify(password_hash, password)


class TrackedUnitOfWork(FakeUnitOfWork):
    open = False

    def __enter__(self) -> TrackedUnitOfWork:
        self.open = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self.open = False


@pytest.fixture
def uow() -> TrackedUnitOfWork:
    return TrackedUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def hasher(uow: TrackedUnitOfWork) -> CountingHasher:
    return CountingHasher(uow)


@pytest.fixture
def ctx(uow: TrackedUnitOfWork, clock: FixedClock, hasher: CountingHasher) -> ServiceContext:
    policy = {"sign_in": {"account": "3/minute", "client": "6/minute"}}
    context = ServiceContext(
        uow=uow, clock=clock, hasher=hasher, attempts=LimitsAttemptLimiter(policy)
    )
    for name, role in (("admin", "admin"), ("ana", "sales"), ("ben", "planner")):
        users.add_user(context, None, users.AddUser(name, role, PASSWORD))
    return context


def me(ctx: ServiceContext, name: str) -> Principal:
    return users.authenticate(ctx, name, PASSWORD)


def test_unknown_inactive_and_known_users_cost_one_verification_and_no_hash(
    ctx: ServiceContext, hasher: CountingHasher
) -> None:
    with pytest.raises(AuthenticationFailed):
        users.authenticate(ctx, "nobody", "guess-one")  # warms the dummy hash once
    users.change_user(ctx, None, users.UserChange("ben", active=False))
    costs = []
    for name, password in [
        ("nobody", "guess"),
        ("ana", "wrong"),
        ("ana", PASSWORD),
        ("ben", PASSWORD),
    ]:
        hasher.hashes = hasher.verifications = 0
        with contextlib.suppress(AuthenticationFailed):
            users.authenticate(ctx, name, password, client=name)
        costs.append((hasher.hashes, hasher.verifications))
    assert costs == [(0, 1)] * 4


def test_an_account_is_locked_after_its_limit_even_for_the_right_password(
    ctx: ServiceContext, hasher: CountingHasher
) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(ctx, "ana", "wrong", client="10.0.0.1")
    hasher.verifications = 0
    with pytest.raises(TooManyAttempts) as locked:
        users.authenticate(ctx, "ana", PASSWORD, client="10.0.0.2")
    assert locked.value.reason == "account_locked"
    assert 1 <= locked.value.retry_after <= 60
    assert hasher.verifications == 0  # refused before any costly work
    assert me(ctx, "ben").username == "ben"  # other accounts are not locked


def test_a_client_guessing_many_accounts_is_limited(ctx: ServiceContext) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(ctx, name, "guess", client="10.9.9.9")
    with pytest.raises(TooManyAttempts) as limited:
        users.authenticate(ctx, "ana", PASSWORD, client="10.9.9.9")
    assert limited.value.reason == "client_rate_limited"
    assert users.authenticate(ctx, "ana", PASSWORD, client="10.0.0.7").username == "ana"


def test_a_right_password_clears_the_accounts_count(ctx: ServiceContext) -> None:
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(ctx, "ana", "wrong")
    me(ctx, "ana")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(ctx, "ana", "wrong")
    assert me(ctx, "ana").username == "ana"


def test_the_limiter_backs_off_tier_by_tier() -> None:
    limiter = LimitsAttemptLimiter({"sign_in": {"account": "2/minute;3/hour"}})
    keys = {"account": "ana"}
    limiter.failed("sign_in", keys)
    assert limiter.retry_after("sign_in", keys) is None
    limiter.failed("sign_in", keys)
    first = limiter.retry_after("sign_in", keys)
    assert first is not None and first[1] <= 60
    limiter.failed("sign_in", keys)
    second = limiter.retry_after("sign_in", keys)
    assert second is not None and 60 < second[1] <= 3600


def test_sessions_end_at_sign_out_when_idle_and_after_the_absolute_limit(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    ana = me(ctx, "ana")
    signed_out = credentials.start_session(ctx, ana)
    credentials.end_session(ctx, signed_out)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_session(ctx, signed_out)

    idle = credentials.start_session(ctx, ana)
    clock.advance(hours=7, minutes=59)
    assert credentials.principal_by_session(ctx, idle).username == "ana"
    clock.advance(hours=7, minutes=59)  # seen at 7:59, so alive until 15:59
    assert credentials.principal_by_session(ctx, idle).username == "ana"
    clock.advance(hours=8)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_session(ctx, idle)

    busy = credentials.start_session(ctx, ana)
    for _ in range(7 * 24 - 1):
        clock.advance(hours=1)
        credentials.principal_by_session(ctx, busy)
    clock.advance(hours=1)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_session(ctx, busy)


def test_tokens_expire_and_can_be_revoked(ctx: ServiceContext, clock: FixedClock) -> None:
    short = credentials.issue_token(ctx, "ana", "short", days=1)
    assert short.expires_at == clock.now() + dt.timedelta(days=1)
    default = credentials.issue_token(ctx, "ana", "default")
    assert default.expires_at == clock.now() + dt.timedelta(days=90)
    clock.advance(hours=23)
    assert credentials.principal_by_token(ctx, short.secret).username == "ana"
    clock.advance(hours=1)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, short.secret)
    ana = me(ctx, "ana")
    [listed] = [t for t in credentials.list_tokens(ctx, ana) if t.name == "default"]
    credentials.revoke_token(ctx, ana, listed.id)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, default.secret)
    with pytest.raises(InvalidInput):
        credentials.issue_token(ctx, "ana", "too long", days=400)


def test_owners_see_and_revoke_their_own_tokens_admins_everyones(ctx: ServiceContext) -> None:
    credentials.issue_token(ctx, "ana", "ana's")
    bens = credentials.issue_token(ctx, "ben", "ben's")
    ana, admin = me(ctx, "ana"), me(ctx, "admin")
    assert {t.username for t in credentials.list_tokens(ctx, ana, everyone=True)} == {"ana"}
    everyone = credentials.list_tokens(ctx, admin, everyone=True)
    assert {t.username for t in everyone} >= {"ana", "ben"}
    [ben_token] = [t for t in everyone if t.name == "ben's"]
    with pytest.raises(NotFound):
        credentials.revoke_token(ctx, ana, ben_token.id)
    credentials.principal_by_token(ctx, bens.secret)
    credentials.revoke_token(ctx, admin, ben_token.id)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, bens.secret)


def test_a_deactivated_user_cannot_sign_in_and_their_credentials_stop(
    ctx: ServiceContext,
) -> None:
    ana = me(ctx, "ana")
    token = credentials.issue_token(ctx, "ana", "t").secret
    session = credentials.start_session(ctx, ana)
    admin = me(ctx, "admin")
    view = users.change_user(ctx, admin, users.UserChange("ana", active=False))
    assert view.active is False
    with pytest.raises(AuthenticationFailed):
        users.authenticate(ctx, "ana", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, token)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_session(ctx, session)
    users.change_user(ctx, admin, users.UserChange("ana", active=True))
    assert me(ctx, "ana").username == "ana"
    with pytest.raises(AuthenticationFailed):  # revoked tokens stay revoked
        credentials.principal_by_token(ctx, token)


def test_only_admins_manage_users_and_nobody_demotes_themselves(ctx: ServiceContext) -> None:
    ana, admin = me(ctx, "ana"), me(ctx, "admin")
    with pytest.raises(PermissionDenied):
        users.change_user(ctx, ana, users.UserChange("ben", active=False))
    with pytest.raises(InvalidInput):
        users.change_user(ctx, admin, users.UserChange("admin", active=False))
    with pytest.raises(InvalidInput):
        users.change_user(ctx, admin, users.UserChange("admin", role="sales"))
    assert users.change_user(ctx, admin, users.UserChange("ben", role="quality")).role == "quality"
    assert me(ctx, "ben").role is Role.QUALITY


def test_changing_ones_password_needs_the_old_one_and_ends_other_credentials(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    ana = me(ctx, "ana")
    token = credentials.issue_token(ctx, "ana", "t").secret
    with pytest.raises(InvalidInput) as wrong:
        users.change_own_password(ctx, ana, "not-it", "a-new-password")
    assert wrong.value.field == "old_password"
    with pytest.raises(InvalidInput):
        users.change_own_password(ctx, ana, PASSWORD, "short")
    users.change_own_password(ctx, ana, PASSWORD, "a-new-password")
    assert users.authenticate(ctx, "ana", "a-new-password").username == "ana"
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, token)
    assert [e.kind for e in uow.events.for_aggregate("user", "ana")][-1] == "user_password_changed"
    assert all("a-new-password" not in str(e.data) for e in uow.events.for_aggregate("user", "ana"))


def test_an_admin_resets_a_password(ctx: ServiceContext) -> None:
    users.reset_password(ctx, me(ctx, "admin"), "ben", "reset-by-admin")
    assert users.authenticate(ctx, "ben", "reset-by-admin").username == "ben"
    with pytest.raises(PermissionDenied):
        users.reset_password(ctx, me(ctx, "ana"), "ben", "another-password")


def test_reserved_names_cannot_become_users(ctx: ServiceContext) -> None:
    with pytest.raises(InvalidInput):
        users.add_user(ctx, None, users.AddUser("cli", "sales", PASSWORD))
