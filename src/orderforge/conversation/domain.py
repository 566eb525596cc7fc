"""Messages on an order's thread: who may write what, whom a message mentions, and whom
its e-mail goes to. Pure rules; the use cases look up users and orders.

A message is a fact: never edited or deleted (a correction is a new message). Closed
orders (delivered, cancelled) keep their thread open, because after-sales questions
(a scratch found on delivery, a re-order) belong with the order they are about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text
from orderforge.domain.user import Role

MAX_BODY = 5000
MAX_ATTACHMENTS = 5
EVENT_KIND = "order_message_posted"
#: Roles a message may mention by name (`@quality`): every active user of it is told.
MENTIONABLE_ROLES: frozenset[Role] = frozenset(
    {Role.SALES, Role.ENGINEER, Role.PLANNER, Role.QUALITY, Role.OPERATOR, Role.PURCHASING}
)
#: `@name` where name is a username (see domain.user) or a role; not inside an e-mail
#: address (a word character or '@' before it) and without a sentence's closing dot.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,39})")
ROLE_WORDS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.SALES: "Sales",
    Role.ENGINEER: "Engineering",
    Role.PLANNER: "Planning",
    Role.OPERATOR: "Production",
    Role.QUALITY: "Quality",
    Role.PURCHASING: "Purchasing",
    Role.CUSTOMER: "Customer",
}


@dataclass(frozen=True)
class Person:
    """A user as the thread knows them: enough to show, mention and notify."""

    user_id: int
    username: str
    display_name: str
    role: Role
    customer_id: int | None = None

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER


@dataclass(frozen=True)
class Attachment:
    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Mentions:
    users: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()


@dataclass
class Message:
    order_number: str
    author: Person
    body: str
    internal: bool
    mentions: Mentions
    attachments: tuple[Attachment, ...]
    posted_at: dt.datetime
    id: int | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    def visible_to(self, viewer: Person) -> bool:
        return not (self.internal and viewer.is_customer)


def check_body(body: str) -> str:
    """1-5000 characters once the surrounding blank space is gone, no NUL."""
    body = check_text(body, "body").strip()
    if not body:
        raise InvalidInput("Write a message (the body is empty).", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(
            f"The message is {len(body)} characters; at most {MAX_BODY} fit.", field="body"
        )
    return body


def mentioned_names(body: str) -> tuple[str, ...]:
    """The `@names` in a text, lower-cased, once each, in order of appearance. A dot
    closing a sentence ("ask @sales.") is not part of the name."""
    found: dict[str, None] = {}
    for match in _MENTION.finditer(body):
        name = match.group(1).rstrip(".").lower()
        if len(name) >= 2:  # usernames have at least two characters
            found[name] = None
    return tuple(found)


@dataclass(frozen=True)
class Thread:
    """What the rules need to know of an order's thread."""

    order_number: str
    customer_id: int
    #: every message posted so far, oldest first
    earlier: tuple[Message, ...] = ()

    def public_staff(self) -> frozenset[str]:
        """Staff who have written publicly here: the ones a customer may mention."""
        return frozenset(
            m.author.username for m in self.earlier if not m.internal and not m.author.is_customer
        )


def resolve_mentions(
    body: str,
    author: Person,
    internal: bool,
    thread: Thread,
    users: Mapping[str, Person],
) -> Mentions:
    """Mentions of `body`, each checked: a mentionable role, or an active user the author
    may address here. `users` are the active users by username (the caller loads the
    ones named). A customer may mention roles, its own colleagues and staff who wrote
    publicly in this thread; any other name is "unknown" to it (it never learns which
    staff usernames exist). No internal note mentions a customer user."""
    names: list[str] = []
    roles: list[Role] = []
    for name in mentioned_names(body):
        role = _role(name)
        if role is not None:
            roles.append(role)
            continue
        person = users.get(name)
        if person is None or not _may_mention(author, person, thread):
            raise InvalidInput(f"@{name} is not someone you can mention here.", field="body")
        if person.is_customer and internal:
            raise InvalidInput(
                f"@{name} is a customer user; an internal note is never shown to them.",
                field="body",
            )
        names.append(person.username)
    return Mentions(users=tuple(names), roles=tuple(roles))


def _role(name: str) -> Role | None:
    for role in MENTIONABLE_ROLES:
        if role.value == name:
            return role
    return None


def _may_mention(author: Person, person: Person, thread: Thread) -> bool:
    if person.is_customer:
        # only the order's own customer's users: nobody else may read the thread
        return person.customer_id == thread.customer_id
    if author.is_customer:
        return person.username in thread.public_staff()
    return True


def notify(message: Message, thread: Thread) -> dict[str, Any]:
    """Who hears of a new message (the e-mail contract between rooms): the users it
    mentions and the earlier participants who may read it, the roles it mentions, and
    the order's customer for a public message by staff; never the author. A customer's
    message that reaches no staff member that way goes to the sales role."""
    readers = (m.author for m in thread.earlier if not (message.internal and m.author.is_customer))
    users = _unique([*message.mentions.users, *(p.username for p in readers)])
    users = [u for u in users if u != message.author.username]
    roles = [r.value for r in message.mentions.roles]
    if message.author.is_customer and not roles and not _staff_among(users, thread):
        # somebody at the plant must read what a customer writes
        roles = [Role.SALES.value]
    return {
        "users": users,
        "roles": roles,
        "customer": not message.internal and not message.author.is_customer,
        "exclude": [message.author.username],
    }


def _staff_among(users: list[str], thread: Thread) -> bool:
    staff = {m.author.username for m in thread.earlier if not m.author.is_customer}
    return any(u in staff for u in users)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Draft:
    """A message as its author wrote it, before any check."""

    author: Person
    body: str
    internal: bool = False
    attachments: tuple[Attachment, ...] = ()


def post(thread: Thread, draft: Draft, users: Mapping[str, Person], at: dt.datetime) -> Message:
    """A new message on `thread`, checked (body, who may write internal notes, number of
    files, mentions against the active `users` named in it). Storage sets its id."""
    body = check_body(draft.body)
    if draft.internal and draft.author.is_customer:
        raise InvalidInput("Customers write public messages only.", field="internal")
    if len(draft.attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(f"At most {MAX_ATTACHMENTS} files go with one message.", field="files")
    mentions = resolve_mentions(body, draft.author, draft.internal, thread, users)
    return Message(
        thread.order_number,
        draft.author,
        body,
        draft.internal,
        mentions,
        draft.attachments,
        at,
    )


def posted_event(message: Message, thread: Thread) -> DomainEvent:
    """The fact on the order's history (staff timeline; a customer's only when public),
    carrying what the mail room needs."""
    return DomainEvent(
        aggregate="order",
        aggregate_key=message.order_number,
        kind=EVENT_KIND,
        actor=message.author.username,
        occurred_at=message.posted_at,
        data={
            "order": message.order_number,
            "message_id": message.id,
            "author": message.author.display_name,
            "author_role": message.author.role.value,
            "internal": message.internal,
            "body": message.body,
            "attachments": [a.name for a in message.attachments],
            "notify": notify(message, thread),
        },
        actor_id=message.author.user_id or None,
    )
