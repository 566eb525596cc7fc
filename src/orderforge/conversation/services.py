"""Conversation use cases: read an order's thread, post to it (with files), fetch an
attachment. Whoever may see the order may talk on it; a customer only publicly and
only on its own orders, and never reads an internal note."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from orderforge.conversation import domain
from orderforge.conversation.domain import (
    MAX_ATTACHMENTS,
    ROLE_WORDS,
    Attachment,
    Draft,
    Message,
    Person,
    Thread,
)
from orderforge.conversation.ports import MESSAGES
from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import POST, POST_INTERNAL, VIEW, Resource, require
from orderforge.domain.user import Role
from orderforge.engines.files import UploadRefused, check_upload
from orderforge.services.access import load_visible
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import Principal, UnitOfWork

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_FILE_NAME = 200
#: What may be attached, by extension, and the media type it is served as.
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "txt": "text/plain",
    "step": "model/step",
    "stp": "model/step",
    "dxf": "image/vnd.dxf",
    "dwg": "image/vnd.dwg",
    "stl": "model/stl",
    "igs": "model/iges",
    "iges": "model/iges",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class PostMessage:
    number: str
    body: str
    internal: bool = False
    files: tuple[Upload, ...] = ()


def _check_attachment(name: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """The cleaned file name and the media type the upload check found (content sniffed
    against the name; markup, programs and archives refused), or a refusal naming
    `files`."""
    try:
        checked = check_upload(name, data, max_bytes)
    except UploadRefused as refused:
        shown = name.replace("\x00", "")[:60] or "(no name)"
        raise InvalidInput(f"'{shown}': {refused.message}", field="files") from None
    return checked.name, checked.media_type


def person_of(me: Principal) -> Person:
    return Person(me.user_id, me.username, me.display_name, me.role, me.customer_id)


def _people(uow: UnitOfWork, names: tuple[str, ...]) -> dict[str, Person]:
    """The active users among `names` (roles are not looked up)."""
    found: dict[str, Person] = {}
    for name in names:
        user = uow.users.get(name)
        if user is not None and user.active and user.id is not None:
            found[name] = Person(
                user.id, user.username, user.display_name, user.role, user.customer_id
            )
    return found


def _attachments(cmd: PostMessage) -> tuple[Attachment, ...]:
    if len(cmd.files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"At most {MAX_ATTACHMENTS} files go with one message.", field="files")
    checked = []
    for upload in cmd.files:
        name, media_type = _check_attachment(upload.name, upload.data, MAX_ATTACHMENT_BYTES)
        digest = hashlib.sha256(upload.data).hexdigest()
        checked.append(Attachment(name, digest, len(upload.data), media_type))
    return tuple(checked)


def post_message(ctx: ServiceContext, me: Principal, cmd: PostMessage) -> Message:
    """Post to an order's thread. Everything is checked (body, mentions, files) before
    any file is kept; the message, its attachments' records and the
    `order_message_posted` event (with whom to notify) commit together."""
    require(me.role, Resource.CONVERSATION, POST)
    if cmd.internal:
        require(me.role, Resource.CONVERSATION, POST_INTERNAL)
    attachments = _attachments(cmd)
    if attachments and ctx.files is None:
        raise InvalidInput("This installation keeps no files; post without them.", field="files")
    with ctx.uow() as uow:
        order = load_visible(uow, me, cmd.number)
        repo = uow.repository(MESSAGES)
        thread = Thread(order.number, order.customer_id, tuple(repo.for_order(order.number)))
        users = _people(uow, domain.mentioned_names(cmd.body))
        draft = Draft(person_of(me), cmd.body, cmd.internal, attachments)
        message = domain.post(thread, draft, users, ctx.clock.now())
        if ctx.files is not None:
            for upload in cmd.files:
                ctx.files.put(upload.data)
        repo.add(message)
        events = [domain.posted_event(message, thread)]
        uow.events.append(events)
        publish(ctx, uow, events)
        uow.commit()
        return message


def list_messages(ctx: ServiceContext, me: Principal, number: str) -> list[Message]:
    """The thread as the viewer may read it, oldest first."""
    require(me.role, Resource.CONVERSATION, VIEW)
    viewer = person_of(me)
    with ctx.uow() as uow:
        order = load_visible(uow, me, number)
        found = uow.repository(MESSAGES).for_order(order.number)
    return [m for m in found if m.visible_to(viewer)]


def attachment(
    ctx: ServiceContext, me: Principal, number: str, message_id: int, index: int
) -> tuple[Attachment, bytes]:
    """One attached file and its bytes; a message the viewer may not read, or of
    another order, is as missing as one that does not exist."""
    require(me.role, Resource.CONVERSATION, VIEW)
    with ctx.uow() as uow:
        order_number = load_visible(uow, me, number).number
        message = uow.repository(MESSAGES).get(message_id)
    missing = NotFound(f"Order {order_number} has no such attachment.")
    if (
        message is None
        or message.order_number != order_number
        or not message.visible_to(person_of(me))
        or not 0 <= index < len(message.attachments)
        or ctx.files is None
    ):
        raise missing
    found = message.attachments[index]
    try:
        return found, ctx.files.get(found.sha256)
    except KeyError:
        raise missing from None


def role_words(role: Role) -> str:
    return ROLE_WORDS[role]


def message_view(message: Message) -> dict[str, Any]:
    """A message as faces show it (a customer is only ever given public ones)."""
    view: dict[str, Any] = {
        "id": message.id,
        "order": message.order_number,
        "author": {
            "username": message.author.username,
            "display_name": message.author.display_name,
            "role": message.author.role.value,
            "role_label": role_words(message.author.role),
        },
        "body": message.body,
        "internal": message.internal,
        "mentions": {
            "users": list(message.mentions.users),
            "roles": [r.value for r in message.mentions.roles],
        },
        "attachments": [
            {
                "index": i,
                "name": a.name,
                "size": a.size,
                "media_type": a.media_type,
                "sha256": a.sha256,
            }
            for i, a in enumerate(message.attachments)
        ],
        "posted_at": message.posted_at,
    }
    return view
