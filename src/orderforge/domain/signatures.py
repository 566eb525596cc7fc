"""Electronic signatures (21 CFR Part 11), for every record that is signed: a design
revision, an engineering change, a quality decision.

A signature keeps the signer's printed name, the UTC time and its meaning (11.50), is
bound to the content hash of exactly the record it signs (11.70), and is sealed with a
keyed hash of the plant's secret over all of these, so a copied or edited row does not
verify. Pure values here; re-entering the password and sealing are the platform's
signing use case (services.signing).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Capacity(StrEnum):
    """In which capacity a person approves a revision (the catalogue's `design.approvals`)."""

    CUSTOMER = "customer"
    ENGINEERING = "engineering"
    QUALITY = "quality"

    @property
    def label(self) -> str:
        return {
            Capacity.CUSTOMER: "Customer approval",
            Capacity.ENGINEERING: "Engineering approval",
            Capacity.QUALITY: "Quality approval",
        }[self]


class Meaning(StrEnum):
    """What a signature means, printed beside it (21 CFR 11.50(a)(3))."""

    REVIEW = "review"
    APPROVAL = "approval"
    RESPONSIBILITY = "responsibility"

    @property
    def label(self) -> str:
        return {
            Meaning.REVIEW: "Reviewed",
            Meaning.APPROVAL: "Approved",
            Meaning.RESPONSIBILITY: "Responsible for the design",
        }[self]


@dataclass(frozen=True)
class Signer:
    """The person signing, as authenticated with both components (user id + password)."""

    user_id: int
    username: str
    printed_name: str
    role: str


@dataclass(frozen=True)
class Signature:
    """One approval of one revision: who (printed name), when (UTC), what it means, in
    which capacity, and the content hash it approved; `seal` is a keyed hash of all of
    these made by the plant's secret, so a copied or edited row does not verify."""

    capacity: Capacity
    meaning: Meaning
    signer_id: int
    signer_username: str
    printed_name: str
    signer_role: str
    signed_at: dt.datetime
    content_hash: str
    seal: str

    def manifest(self, revision_key: str) -> bytes:
        """The bytes the seal is computed over: the signature's facts and its record."""
        return canonical(
            {
                "record": revision_key,
                "capacity": self.capacity.value,
                "meaning": self.meaning.value,
                "signer_id": self.signer_id,
                "signer_username": self.signer_username,
                "printed_name": self.printed_name,
                "signed_at": self.signed_at.astimezone(dt.UTC).isoformat(),
                "content_hash": self.content_hash,
            }
        )


def canonical(data: dict[str, Any]) -> bytes:
    """The one byte form of signed content: what its hash and its seal are computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
