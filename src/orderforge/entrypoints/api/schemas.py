"""HTTP schemas: what the API accepts and returns, validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orderforge.domain.order import LineInput
from orderforge.entrypoints.api.bounds import BoundedDate
from orderforge.services.views import OrderSummary

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus the fields at fault."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


def _problem(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {}},
    }


#: Documented on every route, so clients (and contract tests) know the error shapes.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("No or invalid credentials"),
    403: _problem("Your role may not do this"),
    404: _problem("No such record, or not yours"),
    409: _problem("Not possible in the current state"),
    412: _problem("If-Match is stale: changed meanwhile"),
    413: _problem("Body too large"),
    422: _problem("A field is invalid (named in errors[].field)"),
}
#: Sign-in limits: `reason` says which ("account_locked", "client_rate_limited") and
#: the Retry-After header how many seconds to wait.
TOO_MANY = _problem("Too many failed attempts: wait Retry-After seconds")


class LineIn(BaseModel):
    model_config = _STRICT
    product_family: str = Field(min_length=1, max_length=40, examples=["DINING-TABLE"])
    quantity: int = Field(ge=1, le=10_000, strict=True)
    spec: dict[str, str] = Field(default_factory=dict, examples=[{"wood": "oak"}])

    @field_validator("spec")
    @classmethod
    def _small_spec(cls, spec: dict[str, str]) -> dict[str, str]:
        if len(spec) > 100:
            raise ValueError("at most 100 options per line")
        for key, value in spec.items():
            if not 1 <= len(key) <= 60 or len(value) > 200:
                raise ValueError(f"option '{key[:60]}': keys 1-60 chars, values up to 200")
        return spec

    def to_domain(self) -> LineInput:
        return LineInput(
            product_family=self.product_family, quantity=self.quantity, spec=dict(self.spec)
        )


class OrderCreate(BaseModel):
    model_config = _STRICT
    customer: str = Field(min_length=1, max_length=20, description="Customer code")
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    requested_date: BoundedDate | None = None
    notes: str = Field(default="", max_length=5000)


class OrderPatch(BaseModel):
    """Fields left out stay as they are; `requested_date: null` clears the date."""

    model_config = _STRICT
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=100)
    requested_date: BoundedDate | None = None
    notes: str | None = Field(default=None, max_length=5000)


class ActionIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(default="", max_length=2000)


class SpecIn(BaseModel):
    model_config = _STRICT
    spec: dict[str, str] = Field(default_factory=dict, examples=[{"top_material": "glass"}])


class OrderPage(BaseModel):
    items: list[OrderSummary]
    limit: int
    offset: int


class CustomerIn(BaseModel):
    model_config = _STRICT
    code: str = Field(min_length=2, max_length=20, examples=["C-HOTEL-ALPINA"])
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=254)
    country: str = Field(default="DE", min_length=2, max_length=2)
    address: list[str] = Field(
        default_factory=list, max_length=6, examples=[["Marktplatz 3", "82467 Garmisch"]]
    )
    price_group: str = Field(default="", max_length=20, examples=["TRADE"])


class UserIn(BaseModel):
    model_config = _STRICT
    username: str = Field(min_length=2, max_length=40)
    role: str
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(default="", max_length=200)
    customer: str | None = Field(default=None, max_length=20)
    email: str = Field(
        default="", max_length=254, description="Where e-mail notifications go; empty: none"
    )


class TokenRequest(BaseModel):
    model_config = _STRICT
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="api", max_length=100)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=366, description="Days until the token expires (default 90)."
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type name
    expires_at: dt.datetime | None = None


class TokenInfo(BaseModel):
    """A token as listed: never the secret."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    active: bool


class UserChangeIn(BaseModel):
    """Fields left out stay as they are."""

    model_config = _STRICT
    role: str | None = Field(default=None, max_length=20)
    customer: str | None = Field(default=None, max_length=20)
    active: bool | None = None
    email: str | None = Field(default=None, max_length=254, description="Empty clears it")


class PasswordResetIn(BaseModel):
    model_config = _STRICT
    password: str = Field(min_length=8, max_length=200)


class PasswordChangeIn(BaseModel):
    model_config = _STRICT
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    customer_id: int | None
    email: str = Field(description="Where your e-mail notifications go; empty: none")


class MeChangeIn(BaseModel):
    model_config = _STRICT
    email: str = Field(max_length=254, description="Your address; empty stops e-mail")
