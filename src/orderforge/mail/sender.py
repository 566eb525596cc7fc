"""The SMTP side of delivery: one connection per mail with the standard library's
smtplib, never raising (a server that is down is an attempt to log, not a crash of the
worker). Replies in the 5xx range to the recipient or the content are permanent
refusals; everything else (no connection, 4xx, a failed sign-in) is tried again."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from orderforge.config import Settings
from orderforge.mail.ports import OutgoingMail, SendResult
from orderforge.mail.services import MailConfig

TIMEOUT_SECONDS = 30.0


def message(mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = formataddr((mail.to_name, mail.to_address)) if mail.to_name else mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = mail.message_id
    # RFC 3834: an automatic notification; well-behaved auto-responders do not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    if mail.event_id:
        msg["X-OrderForge-Event"] = mail.event_id
    msg.set_content(mail.body)
    return msg


def _refusal(exc: smtplib.SMTPException) -> SendResult:
    code: int | None = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = codes[0] if codes else None
        permanent = bool(codes) and all(c >= 500 for c in codes)
    else:
        permanent = isinstance(exc, smtplib.SMTPDataError | smtplib.SMTPSenderRefused) and (
            code is not None and code >= 500
        )
    return SendResult(code, f"{type(exc).__name__}: {exc}"[:500], permanent)


class SmtpTransport:
    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.host, self.port, self.starttls, self.timeout = host, port, starttls, timeout
        self._login = (username, password) if username else None

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({self.host!r}, {self.port}, starttls={self.starttls})"

    def send(self, mail: OutgoingMail) -> SendResult:
        envelope_from = parseaddr(mail.sender)[1]
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._login is not None:
                    smtp.login(*self._login)
                smtp.send_message(message(mail), envelope_from, [mail.to_address])
        except smtplib.SMTPException as exc:
            return _refusal(exc)
        except (OSError, ValueError) as exc:
            return SendResult(None, f"{type(exc).__name__}: {exc}"[:500])
        return SendResult(250, None)


def transport_from(settings: Settings) -> SmtpTransport | None:
    """The configured server, or None: mails are then held until one is set."""
    if not settings.smtp_host:
        return None
    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def config_from(settings: Settings) -> MailConfig:
    return MailConfig(sender=settings.mail_from, public_url=settings.public_url)
