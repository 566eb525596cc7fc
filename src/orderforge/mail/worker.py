"""The mail worker thread `orderforge serve` runs beside the webhook worker: one pass
every ORDERFORGE_MAIL_POLL_SECONDS. Several serving processes may each run one: on
PostgreSQL the passes share the work through row locks (SKIP LOCKED) and claims, so no
mail is sent twice at the same time."""

from __future__ import annotations

from orderforge.adapters.periodic import PeriodicWorker
from orderforge.config import Settings
from orderforge.mail.ports import MailTransport
from orderforge.mail.sender import config_from, transport_from
from orderforge.mail.services import deliver_due
from orderforge.services.context import ServiceContext


class MailWorker(PeriodicWorker):
    def __init__(
        self,
        ctx: ServiceContext,
        settings: Settings,
        interval: float | None = None,
        transport: MailTransport | None = None,
    ) -> None:
        self.ctx = ctx
        self.transport = transport or transport_from(settings)
        self.config = config_from(settings)
        super().__init__(
            "mail",
            settings.mail_poll_seconds if interval is None else interval,
            lambda: deliver_due(ctx, ctx.clock.now(), self.transport, self.config),
        )
