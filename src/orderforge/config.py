"""Settings from the environment, read when asked (never at import).

Every setting has a safe default for a newcomer's machine: an SQLite database under
./var/, the server on 127.0.0.1 only, a secret key generated once into ./var/.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

ENV_PREFIX = "ORDERFORGE_"
MEGABYTE = 1024 * 1024


class ConfigError(Exception):
    """A setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    host: str
    port: int
    secret_key: str | None
    #: Password given to every demo user by `demo load` (documented in the README).
    demo_password: str
    #: Mark session cookies Secure (set when served behind HTTPS).
    secure_cookies: bool
    #: Run the feasibility review automatically when an order is confirmed.
    review_on_confirm: bool = True
    #: Who runs recorded jobs (plan and MRP runs): "procrastinate" (PostgreSQL;
    #: `orderforge worker` processes), "inprocess" (a thread of the serving process), or
    #: "auto" (the first on PostgreSQL, the second on SQLite).
    jobs: str = "auto"
    #: Where people reach OrderForge ("https://mto.example.com"); absolute links are
    #: built from it, never from the Host header. Empty: http://HOST:PORT.
    base_url: str = ""
    session_idle_hours: int = 8
    session_max_days: int = 7
    token_days: int = 90
    #: Where failed sign-in counts live: "memory://" (one process) or a Redis URL.
    rate_limit_storage: str = "memory://"
    #: Seconds between the webhook worker's passes in `serve` (ORDERFORGE_WEBHOOK_POLL_SECONDS).
    webhook_poll_seconds: int = 5
    #: Where uploaded files are kept (ORDERFORGE_BLOB_DIR); None: var_dir / "blobs".
    #: Back it up with the database (docs/operations.md).
    blob_dir: Path | None = None
    #: The largest file one upload may carry (ORDERFORGE_MAX_UPLOAD_MB, in MiB).
    max_upload_bytes: int = 20 * MEGABYTE
    #: The SMTP server e-mail goes to (ORDERFORGE_SMTP_HOST); empty: mails are recorded
    #: and held ("not sent: no SMTP server configured") until one is set.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    #: never printed: left out of the settings' repr
    smtp_password: str = field(default="", repr=False)
    #: upgrade the connection with STARTTLS before signing in and sending
    smtp_starttls: bool = True
    #: The From of every mail (ORDERFORGE_MAIL_FROM).
    mail_from: str = "OrderForge <orderforge@localhost>"
    #: Seconds between the mail worker's passes in `serve` (ORDERFORGE_MAIL_POLL_SECONDS).
    mail_poll_seconds: int = 5
    #: Seconds between the promise watch's passes over the floor's progress in `serve`
    #: (ORDERFORGE_PROMISE_WATCH_SECONDS).
    promise_watch_seconds: int = 300

    @property
    def public_url(self) -> str:
        """The base URL, or where `serve` listens by default when none is set."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def cookies_secure(self) -> bool:
        """Secure cookies when asked, or when the base URL is HTTPS."""
        return self.secure_cookies or self.base_url.startswith("https://")

    @property
    def job_backend(self) -> str:
        if self.jobs != "auto":
            return self.jobs
        return "procrastinate" if self.database_url.startswith("postgresql") else "inprocess"

    def resolved_blob_dir(self) -> Path:
        """The folder of uploaded files: the setting, else `blobs` under var/."""
        return self.blob_dir or self.var_dir / "blobs"

    def resolved_secret_key(self) -> str:
        """The signing key: from the environment, else one generated once into var/."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Created 0600 in one step: no moment when another user could read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def _base_url(raw: str) -> str:
    raw = raw.strip().rstrip("/")
    if raw and not (raw.startswith(("http://", "https://")) and "\x00" not in raw):
        raise ConfigError(
            f"{ENV_PREFIX}BASE_URL must start with http:// or https://, not '{raw[:80]}'."
        )
    return raw


def _folder(name: str, default: Path) -> Path:
    raw = (os.environ.get(ENV_PREFIX + name) or "").strip()
    if not raw:
        return default
    if "\x00" in raw:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a folder path without NUL characters.")
    return Path(raw).expanduser().resolve()


def _smtp_host(raw: str) -> str:
    raw = raw.strip()
    if any(c.isspace() or c in "/@" for c in raw) or "\x00" in raw:
        raise ConfigError(
            f"{ENV_PREFIX}SMTP_HOST must be a host name or address, not '{raw[:80]}'."
        )
    return raw


def _mail_from(raw: str) -> str:
    raw = raw.strip() or "OrderForge <orderforge@localhost>"
    _name, address = parseaddr(raw)
    if "@" not in address or any(c.isspace() for c in address) or any(c in raw for c in "\r\n\x00"):
        raise ConfigError(
            f"{ENV_PREFIX}MAIL_FROM must be an address such as 'OrderForge "
            f"<orderforge@example.com>', not '{raw[:80]}'."
        )
    return raw


def _smtp_login() -> tuple[str, str]:
    username = os.environ.get(ENV_PREFIX + "SMTP_USERNAME") or ""
    password = os.environ.get(ENV_PREFIX + "SMTP_PASSWORD") or ""
    if bool(username) != bool(password):
        given, missing = ("USERNAME", "PASSWORD") if username else ("PASSWORD", "USERNAME")
        raise ConfigError(
            f"{ENV_PREFIX}SMTP_{given} is set but {ENV_PREFIX}SMTP_{missing} is not: "
            "set both to sign in to the SMTP server, or neither."
        )
    return username, password


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not '{raw}'.") from None
    if not low <= value <= high:
        raise ConfigError(f"{ENV_PREFIX}{name} must be between {low} and {high}, not {value}.")
    return value


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(ENV_PREFIX + name) or "").strip().lower() or default
    if raw not in allowed:
        raise ConfigError(f"{ENV_PREFIX}{name} must be one of {', '.join(allowed)}, not '{raw}'.")
    return raw


def _flag(name: str, *, default: bool) -> bool:
    raw = (os.environ.get(ENV_PREFIX + name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, not '{raw}'.")


def load_settings() -> Settings:
    var_dir = Path(os.environ.get(ENV_PREFIX + "VAR_DIR") or "var").resolve()
    database_url = os.environ.get(ENV_PREFIX + "DATABASE_URL") or (
        f"sqlite:///{var_dir / 'orderforge.db'}"
    )
    username, password = _smtp_login()
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        host=os.environ.get(ENV_PREFIX + "HOST") or "127.0.0.1",
        port=_int("PORT", 8000, 1, 65535),
        secret_key=os.environ.get(ENV_PREFIX + "SECRET_KEY") or None,
        demo_password=os.environ.get(ENV_PREFIX + "DEMO_PASSWORD") or "orderforge-demo",
        secure_cookies=_flag("SECURE_COOKIES", default=False),
        review_on_confirm=_flag("REVIEW_ON_CONFIRM", default=True),
        jobs=_choice("JOBS", ("auto", "inprocess", "procrastinate"), "auto"),
        base_url=_base_url(os.environ.get(ENV_PREFIX + "BASE_URL") or ""),
        session_idle_hours=_int("SESSION_IDLE_HOURS", 8, 1, 24 * 30),
        session_max_days=_int("SESSION_MAX_DAYS", 7, 1, 365),
        token_days=_int("TOKEN_DAYS", 90, 1, 366),
        rate_limit_storage=os.environ.get(ENV_PREFIX + "RATE_LIMIT_STORAGE") or "memory://",
        webhook_poll_seconds=_int("WEBHOOK_POLL_SECONDS", 5, 1, 3600),
        blob_dir=_folder("BLOB_DIR", var_dir / "blobs"),
        # Uploads are held in memory while checked and stored, hence the ceiling.
        max_upload_bytes=_int("MAX_UPLOAD_MB", 20, 1, 512) * MEGABYTE,
        smtp_host=_smtp_host(os.environ.get(ENV_PREFIX + "SMTP_HOST") or ""),
        smtp_port=_int("SMTP_PORT", 587, 1, 65535),
        smtp_username=username,
        smtp_password=password,
        smtp_starttls=_flag("SMTP_STARTTLS", default=True),
        mail_from=_mail_from(os.environ.get(ENV_PREFIX + "MAIL_FROM") or ""),
        mail_poll_seconds=_int("MAIL_POLL_SECONDS", 5, 1, 3600),
        promise_watch_seconds=_int("PROMISE_WATCH_SECONDS", 300, 10, 86400),
    )
