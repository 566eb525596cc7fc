"""Giving an electronic signature: the signer's two components again (user id and
password, 21 CFR 11.200), the meaning, and the seal over the signature's facts and the
record's content hash (11.70). One place for every signed record (design revisions,
engineering changes, quality decisions), so the rules cannot drift apart."""

from __future__ import annotations

import datetime as dt

from orderforge.domain.errors import AuthenticationFailed, InvalidInput
from orderforge.domain.signatures import Capacity, Meaning, Signature, Signer
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.users import SIGNATURE, authenticate


def signer_of(actor: Principal) -> Signer:
    return Signer(actor.user_id, actor.username, actor.display_name, actor.role.value)


def meaning_of(value: str) -> Meaning:
    try:
        return Meaning(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"A signature means one of: {', '.join(m.value for m in Meaning)}.", field="meaning"
        ) from None


def identify(
    ctx: ServiceContext, actor: Principal, username: str, password: str, client: str
) -> Signer:
    """The signer, once both components are given again: the user id they are signed in
    with and their password (a wrong one signs nothing and counts toward the lockout)."""
    if username.strip().lower() != actor.username:
        raise InvalidInput(
            "Sign with your own user id: the one you are signed in with.", field="username"
        )
    try:
        authenticate(ctx, username, password, client, kind=SIGNATURE)
    except AuthenticationFailed:
        raise InvalidInput(
            "The password is not right: nothing was signed.", field="password"
        ) from None
    return signer_of(actor)


def sign(
    ctx: ServiceContext,
    record_key: str,
    content_hash: str,
    capacity: Capacity,
    meaning: Meaning,
    signer: Signer,
    at: dt.datetime,
) -> Signature:
    """A sealed signature of the record `record_key` whose content hashes to
    `content_hash`, given at `at` (kept to the second, in UTC)."""
    if ctx.sealer is None:
        raise RuntimeError("no sealer is wired: signatures cannot be given")
    unsealed = Signature(
        capacity=capacity,
        meaning=meaning,
        signer_id=signer.user_id,
        signer_username=signer.username,
        printed_name=signer.printed_name,
        signer_role=signer.role,
        signed_at=at.astimezone(dt.UTC).replace(microsecond=0),
        content_hash=content_hash,
        seal="",
    )
    seal = ctx.sealer.seal(unsealed.manifest(record_key))
    return Signature(**{**unsealed.__dict__, "seal": seal})


def sealed(ctx: ServiceContext, record_key: str, signature: Signature) -> bool:
    """Whether the signature's seal still matches its facts and its record."""
    if ctx.sealer is None:
        return False
    return ctx.sealer.verify(signature.manifest(record_key), signature.seal)
