"""Configuration read once from the environment."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.domain import attachments as attachment_rules
from app.domain.retention import DEFAULT_CONTACT_RETENTION_DAYS
from app.domain.workflow import DEFAULT_FOLLOW_UP_THRESHOLD
from app.domain.working_days import RESPONSE_WORKING_DAYS

if TYPE_CHECKING:
    from app.domain.key_wrapping import KeyEncryptionKey

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pakn.db"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
MAX_AUTO_URGE_DAYS = 250
"""About a year of working days: PAKN_AUTO_URGE_DAYS beyond it is a mistake, not a policy."""
STATEMENT_GRACE_SECONDS = 0.5

MAX_RETENTION_DAYS = 36_500
"""A century: a retention beyond it would overflow the date arithmetic of every purge."""
MIN_PURGE_INTERVAL = 0.1
MAX_PURGE_INTERVAL = 7 * 86_400.0
"""PAKN_PURGE_INTERVAL's bounds: not a loop without a pause (nor NaN or infinity; tests run
it every tenth of a second), and at least one purge a week."""


def _integer(raw: str) -> int:
    return int(raw)


def _number(raw: str) -> float:
    return float(raw)


def _flag(raw: str) -> bool:
    """On unless set to 0."""
    return raw != "0"


def _items(raw: str) -> tuple[str, ...]:
    """A comma-separated setting; blanks dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


MIN_SECRET_KEY_BYTES = 32
SECRET_KEY_FILE_NAME = ".pakn-secret-key"
PRIVATE_FILE_MODE = 0o600


class SettingsError(ValueError):
    """A setting the service cannot start with; `pakn` says which, and exits with 2."""


def _checked_key(key: str, source: str) -> str:
    size = len(key.encode())
    if size < MIN_SECRET_KEY_BYTES:
        raise SettingsError(
            f"{source} holds a secret key of {size} bytes; it must have at least "
            f"{MIN_SECRET_KEY_BYTES}. Make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return key


def _sqlite_file(database_url: str) -> Path | None:
    """The absolute path of the SQLite database file of `database_url`; None for
    PostgreSQL and for an in-memory SQLite."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not database_url.startswith("sqlite"):
        return None
    try:
        database = make_url(database_url).database
    except ArgumentError:
        raise SettingsError("PAKN_DATABASE_URL is not a database URL.") from None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(os.path.abspath(os.path.expanduser(database)))


def secret_key_file(database_url: str) -> Path:
    """Where the secret key is kept, an absolute path: PAKN_SECRET_KEY_FILE when set; else
    beside the SQLite database file; else (PostgreSQL, an in-memory SQLite) in the working
    directory."""
    configured = os.environ.get("PAKN_SECRET_KEY_FILE")
    if configured:
        return Path(os.path.abspath(os.path.expanduser(configured)))
    database = _sqlite_file(database_url)
    folder = database.parent if database is not None else Path.cwd()
    return folder / SECRET_KEY_FILE_NAME


def _create_key_file(path: Path, key: str | None = None) -> None:
    """`key` (a new random one by default) at `path`, 0600, whole or not at all: written
    to a file of its own and linked into place, so a second process starting at once finds
    either no file or the complete key, never an empty one; the first one linked stays."""
    draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
    try:
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except OSError as failed:
        raise SettingsError(
            f"cannot create the secret key file {path}: {failed.strerror}"
        ) from None
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(key if key is not None else secrets.token_urlsafe(MIN_SECRET_KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)


def _adopt_old_key_file(path: Path, database: Path | None) -> None:
    """Move a key file from where pakn kept it before, `./.pakn-secret-key`, to `path`,
    once, when it is this deployment's: the working directory holds no SQLite database of
    its own (whose key that file is now) and the database beside `path` exists already (an
    upgrade, not a first start). So a command run from one deployment's folder against
    another database never takes that deployment's key away. A key already at `path` is
    never overwritten: the same key there, and the old file goes; a different one, and pakn
    refuses to start, naming both."""
    old = Path.cwd() / SECRET_KEY_FILE_NAME
    if old == path or (Path.cwd() / "pakn.db").exists():
        return
    if database is not None and not database.exists():
        return
    try:
        if path.exists() and os.path.samefile(old, path):
            return
        key = _read_key_file(old)
    except FileNotFoundError:
        return
    try:
        os.link(old, path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        return
    except OSError:
        _create_key_file(path, key)
    if _read_key_file(path) != key:
        raise SettingsError(
            f"two different secret key files: {old} (where pakn kept it before) and {path} "
            "(where it is kept now). Keep the one the sealing keys were encrypted with at "
            f"{path} and remove the other (or run `pakn keys rekey --old-key-file` with it)."
        )
    old.unlink(missing_ok=True)
    print(f"pakn: moved the secret key file {old} to {path}", file=sys.stderr)


MAX_KEY_FILE_BYTES = 4096


def _read_key_file(path: Path) -> str:
    """The key in `path`, stripped; a file that is not a small UTF-8 text file (a
    directory, a dangling link, binary data, megabytes) is a SettingsError."""
    try:
        with open(path, "rb") as opened:
            raw = opened.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as failed:
        raise SettingsError(f"cannot read the secret key file {path}: {failed.strerror}") from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise SettingsError(
            f"the secret key file {path} holds more than {MAX_KEY_FILE_BYTES} bytes"
        )
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SettingsError(f"the secret key file {path} is not UTF-8 text") from None


def _tighten(path: Path) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, PRIVATE_FILE_MODE)
    except FileNotFoundError:
        return
    except OSError as failed:
        raise SettingsError(
            f"cannot make the secret key file {path} private (0600): {failed.strerror}"
        ) from None


def server_secret_key(database_url: str = DEFAULT_DATABASE_URL) -> tuple[str, Path | None]:
    """PAKN_SECRET_KEY, or a random key kept in a file (made on first use, see
    `secret_key_file`), and the file (None for PAKN_SECRET_KEY). Either must hold at least
    32 bytes, or the service does not start. A key file readable by others is made 0600.

    The key derives petitioners' secrets for idempotent retries, fingerprints client
    addresses for rate limiting and, unless PAKN_KEY_ENCRYPTION_KEY is set, the key that
    encrypts the agencies' sealing keys. Every worker of one deployment must share it: set
    PAKN_SECRET_KEY (or PAKN_SECRET_KEY_FILE) when workers run on more than one host.
    """
    configured = os.environ.get("PAKN_SECRET_KEY")
    if configured:
        return _checked_key(configured, "PAKN_SECRET_KEY"), None
    path = secret_key_file(database_url)
    _adopt_old_key_file(path, _sqlite_file(database_url))
    if not path.exists():
        _create_key_file(path)
    _tighten(path)
    try:
        key = _read_key_file(path)
    except FileNotFoundError:
        raise SettingsError(f"the secret key file {path} is a link to nothing") from None
    return _checked_key(key, str(path)), path


def _encryption_key(raw: str) -> str:
    """PAKN_KEY_ENCRYPTION_KEY, checked: the standard base64 of exactly 32 bytes."""
    from app.domain.key_wrapping import KeyEncryptionKey

    try:
        KeyEncryptionKey.from_base64(raw)
    except ValueError as problem:
        raise SettingsError(
            f"PAKN_KEY_ENCRYPTION_KEY {problem}: it must be the base64 of 32 random bytes, "
            "e.g. from: python3 -c 'import base64, secrets; "
            "print(base64.b64encode(secrets.token_bytes(32)).decode())'"
        ) from None
    return raw.strip()


def _http_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"PAKN_PUBLIC_URL must be an http or https address such as https://pakn.gov.vn, "
            f"not {raw!r}."
        )
    return raw.strip().rstrip("/")


def _smtp_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError(
            "PAKN_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://..., "
            "e.g. smtp://127.0.0.1:1025."
        )
    return raw.strip()


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _log_format(raw: str) -> str:
    if raw.strip().lower() not in LOG_FORMATS:
        raise SettingsError(f"PAKN_LOG_FORMAT is json (the default) or text, not {raw[:40]!r}.")
    return raw.strip().lower()


def _log_level(raw: str) -> str:
    if raw.strip().lower() not in LOG_LEVELS:
        raise SettingsError(
            f"PAKN_LOG_LEVEL is one of {', '.join(LOG_LEVELS)} (info by default), not {raw[:40]!r}."
        )
    return raw.strip().lower()


MIN_METRICS_TOKEN = 16
MAX_METRICS_TOKEN = 256


def _metrics_token(raw: str) -> str:
    token = raw.strip()
    if not MIN_METRICS_TOKEN <= len(token) <= MAX_METRICS_TOKEN or not token.isascii():
        raise SettingsError(
            f"PAKN_METRICS_TOKEN must be {MIN_METRICS_TOKEN} to {MAX_METRICS_TOKEN} ASCII "
            "characters. Make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if not token.isprintable() or " " in token:
        raise SettingsError("PAKN_METRICS_TOKEN holds no spaces or control characters.")
    return token


MAX_WITNESSES = 16


UPLOAD_TYPE_NAMES = tuple(attachment_rules.BY_NAME)


def _upload_types(raw: str) -> tuple[str, ...]:
    names = tuple(name.upper() for name in _items(raw))
    unknown = [name for name in names if name not in UPLOAD_TYPE_NAMES]
    if unknown or not names:
        raise SettingsError(
            f"PAKN_UPLOAD_TYPES: {', '.join(unknown) or 'none'}; "
            f"name some of {', '.join(UPLOAD_TYPE_NAMES)}"
        )
    return names


def _witnesses(raw: str) -> tuple[tuple[str, str], ...]:
    """PAKN_WITNESSES: one `<verifier key> <URL>` a line (or separated by ';')."""
    from app.domain.signed_note import COSIGNATURE, NoteError, Verifier

    found = []
    for line in raw.replace(";", "\n").splitlines():
        if not line.strip():
            continue
        key, _, url = line.strip().partition(" ")
        try:
            kind = Verifier.parse(key).kind
        except NoteError as bad:
            raise SettingsError(f"PAKN_WITNESSES: {bad}: {key!r}") from None
        parts = urlsplit(url.strip())
        if kind != COSIGNATURE or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                "PAKN_WITNESSES takes lines '<witness cosignature key> <http(s) URL>'; "
                f"not {line.strip()!r}."
            )
        found.append((key, url.strip().rstrip("/")))
    if len(found) > MAX_WITNESSES:
        raise SettingsError(
            f"PAKN_WITNESSES lists at most {MAX_WITNESSES} witnesses (a checkpoint with more "
            "cosignatures is more than verifiers read)."
        )
    return tuple(found)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    response_working_days: int = RESPONSE_WORKING_DAYS
    follow_up_escalation_threshold: int = DEFAULT_FOLLOW_UP_THRESHOLD
    submissions_per_hour: int = 20
    submit_pow: bool = False
    """Every submission must carry a solved bot check (`app.domain.challenge`)."""
    pow_max_number: int = 100_000
    """The bot check's difficulty: its secret number is at most this (about half as many
    SHA-256 hashes on average; some 0.3 s in a phone's browser)."""
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_query_cost: int = 20_000
    """The rows a document may be estimated to return (`schema.cost`; 0: no limit)."""
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    """Bytes of one attached file (PAKN_MAX_UPLOAD_BYTES)."""
    max_uploads: int = 5
    """Files attached to one petition or answer (PAKN_MAX_UPLOADS)."""
    max_upload_total: int = 20 * 1024 * 1024
    """Bytes of a multipart request's files together (PAKN_MAX_UPLOAD_TOTAL): a larger
    request is refused by its declared length, before any of it is read."""
    upload_types: tuple[str, ...] = UPLOAD_TYPE_NAMES
    """The file types taken, decided by a file's bytes (PAKN_UPLOAD_TYPES)."""
    graphiql: bool = True
    introspection: bool = True
    """Introspection and "Did you mean" suggestions, on for a public API (0 turns both off)."""
    compiled_queries: bool = True
    """Answer repeated documents by the compiled path (`schema.fastpath`)."""
    statement_timeout_seconds: float = 30.0
    """PostgreSQL cancels an API statement that runs longer (0: never); see QUERY_TIMEOUT."""
    keep_alive_seconds: float = 15.0
    feed_poll_seconds: float = 2.0
    subscriber_queue: int = 1000
    secret_key: str = field(default="insecure-development-key", repr=False)
    secret_key_file: Path | None = None
    """The absolute path the secret key was read from; None when PAKN_SECRET_KEY gave it."""
    encryption_key: str = field(default="", repr=False)
    """PAKN_KEY_ENCRYPTION_KEY (base64 of 32 bytes); empty: derived from the secret key."""
    ranking_minimum: int = 10
    """Agencies with fewer petitions received in a window are ranked apart."""
    cors_origins: tuple[str, ...] = ()
    """Origins whose pages may call the API and open its WebSocket; empty: any origin."""
    persisted_queries_max: int = 10_000
    """Documents the persisted-query store keeps (all workers together)..."""
    persisted_queries_max_bytes: int = 32 * 1024 * 1024
    """... and their bytes: registering beyond either forgets the oldest."""
    cache_seconds: int = 10
    """`Cache-Control: public, max-age=` of public cacheable responses (anonymous GraphQL
    GETs and the exports); 0: caches revalidate every time."""
    request_timeout_seconds: float = 30.0
    """One GraphQL operation (HTTP, or a socket's query or mutation) is cancelled after
    this long with REQUEST_TIMEOUT (0: never); never above the statement timeout."""
    read_rate: int = 600
    """Requests a minute per client address (officers ten times as many); 0: no limit.
    Each worker enforces its share, `read_rate / workers`."""
    workers: int = 1
    """Worker processes serving this deployment on this host (`pakn serve --workers`)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses whose `X-Forwarded-For` is believed; empty: nobody's."""
    max_sockets_per_client: int = 20
    """Open WebSockets per client address, per worker (0: no limit)."""
    max_sockets: int = 10_000
    """Open WebSockets in all, per worker (0: no limit)."""
    max_subscriptions_per_socket: int = 100
    """Operations running at once on one WebSocket (0: no limit)."""
    max_replay: int = 10_000
    """Events a subscription's `after` may lie behind the newest (0: no limit)."""
    socket_init_timeout_seconds: float = 10.0
    """A WebSocket that sends no `connection_init` this long is closed."""
    socket_recheck_seconds: float = 5.0
    """How often an open socket's officer token is checked again (revoked since)."""
    max_exports_per_client: int = 2
    """Exports one client address may stream at once, per worker (0: no limit)."""
    contact_retention_days: int = DEFAULT_CONTACT_RETENTION_DAYS
    """Days after a settled petition's last event that its contact data is erased
    (`app.domain.retention`); 0 keeps it (no automatic erasure)."""
    purge_interval_seconds: float = 3600.0
    """How often the background runner erases the contact data due (the first run at
    start)."""
    public_url: str = DEFAULT_PUBLIC_URL
    """The service's public address, used in e-mails, QR codes and webhooks (no trailing /)."""
    smtp_url: str = field(default="", repr=False)
    """Where e-mails go (smtp:// or smtps://, perhaps with user:password@); empty: no e-mail
    is queued or sent."""
    mail_from: str = "PAKN <no-reply@pakn.invalid>"
    """The From: of the e-mails to petitioners."""
    overdue_interval_seconds: float = 60.0
    """How often the overdue clock looks for deadlines that passed (the first run at start)."""
    auto_urge_days: int = 0
    """Working days overdue after which SYSTEM urges the agency once; 0: never."""
    outbox_interval_seconds: float = 5.0
    """How often the outbox sender looks for messages due."""
    webhook_allow_private: bool = False
    """Webhook URLs may name loopback and private addresses (tests, an agency's own LAN)."""
    webhook_delivery: bool = True
    """This process's outbox sender delivers webhooks; off only in the tests' servers, whose
    tests send with a clock of their own (no environment variable)."""
    overdue_clock: bool = True
    """This process runs the overdue clock (one leader writes the OVERDUE events); off only
    in the tests' servers, whose tests run it with a clock of their own (no environment
    variable)."""
    email_delivery: bool = True
    """This process's outbox sender sends the e-mails (where PAKN_SMTP_URL is set); off
    only in the tests' servers, whose tests send with a clock of their own (no environment
    variable). They are queued all the same."""
    witnesses: tuple[tuple[str, str], ...] = ()
    """The transparency log's witnesses: (cosignature verifier key, URL) pairs, to which
    each new checkpoint is pushed (C2SP tlog-witness add-checkpoint)."""
    checkpoint_seconds: float = 10.0
    """How often, at most, the transparency log's signer issues a checkpoint while the tree
    grows (one signer across all workers and hosts)."""
    log_checkpoints: bool = True
    """This process may sign the log's checkpoints; off only in the tests' servers, whose
    tests issue them themselves (no environment variable)."""
    log_format: str = "json"
    """PAKN_LOG_FORMAT: one JSON object a line on stderr (`json`), or a readable line (`text`)."""
    log_level: str = "info"
    """PAKN_LOG_LEVEL: the least severe level logged (debug, info, warning, error, critical)."""
    metrics_token: str = field(default="", repr=False)
    """PAKN_METRICS_TOKEN: the bearer token `/metrics` answers; empty: loopback clients only."""

    @property
    def effective_request_timeout(self) -> float:
        """The request timeout, at most the statement timeout (0: off). Where it reaches
        the statement timeout, PostgreSQL's own cancellation of a long statement is given
        `STATEMENT_GRACE_SECONDS` to answer QUERY_TIMEOUT, which names the cause, first."""
        request, statement = self.request_timeout_seconds, self.statement_timeout_seconds
        if not request:
            return 0.0
        if statement and request >= statement:
            return statement + STATEMENT_GRACE_SECONDS
        return request

    @property
    def key_encryption_key(self) -> KeyEncryptionKey:
        """The key that encrypts the agencies' sealing keys at rest (`app.domain.key_wrapping`)."""
        from app.domain.key_wrapping import KeyEncryptionKey

        if self.encryption_key:
            return KeyEncryptionKey.from_base64(self.encryption_key)
        return KeyEncryptionKey.derived_from(self.secret_key)

    @classmethod
    def from_env(cls) -> Settings:
        """The defaults above, overridden by the environment variables of `ENVIRONMENT`
        that are set and not empty."""
        values: dict[str, Any] = {}
        for name, (variable, parse) in ENVIRONMENT.items():
            raw = os.environ.get(variable)
            if raw:
                values[name] = parse(raw)
        if os.environ.get("PAKN_DATABASE_URL") == "":
            raise SettingsError("PAKN_DATABASE_URL is set but empty: name a database or unset it.")
        if not 0 <= values.get("contact_retention_days", 0) <= MAX_RETENTION_DAYS:
            raise SettingsError(
                f"PAKN_CONTACT_RETENTION_DAYS must be 0 (keep) to {MAX_RETENTION_DAYS} days."
            )
        if (
            not MIN_PURGE_INTERVAL
            <= values.get("purge_interval_seconds", 3600)
            <= MAX_PURGE_INTERVAL
        ):
            raise SettingsError(
                f"PAKN_PURGE_INTERVAL must be {MIN_PURGE_INTERVAL:g} to "
                f"{MAX_PURGE_INTERVAL:g} seconds."
            )
        for name, variable in (
            ("overdue_interval_seconds", "PAKN_OVERDUE_INTERVAL"),
            ("outbox_interval_seconds", "PAKN_OUTBOX_INTERVAL"),
            ("checkpoint_seconds", "PAKN_CHECKPOINT_SECONDS"),
        ):
            if not MIN_PURGE_INTERVAL <= values.get(name, 60) <= MAX_PURGE_INTERVAL:
                raise SettingsError(
                    f"{variable} must be {MIN_PURGE_INTERVAL:g} to {MAX_PURGE_INTERVAL:g} seconds."
                )
        if not 0 <= values.get("auto_urge_days", 0) <= MAX_AUTO_URGE_DAYS:
            raise SettingsError(
                f"PAKN_AUTO_URGE_DAYS must be 0 (never) to {MAX_AUTO_URGE_DAYS} working days."
            )
        if "cache_seconds" in values:
            values["cache_seconds"] = max(0, values["cache_seconds"])
        key, key_file = server_secret_key(values.get("database_url", DEFAULT_DATABASE_URL))
        return cls(secret_key=key, secret_key_file=key_file, **values)


ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("PAKN_DATABASE_URL", str),
    "response_working_days": ("PAKN_RESPONSE_WORKING_DAYS", _integer),
    "follow_up_escalation_threshold": ("PAKN_FOLLOW_UP_ESCALATION", _integer),
    "submissions_per_hour": ("PAKN_SUBMISSIONS_PER_HOUR", _integer),
    "submit_pow": ("PAKN_SUBMIT_POW", _flag),
    "pow_max_number": ("PAKN_POW_MAX_NUMBER", _integer),
    "max_query_depth": ("PAKN_MAX_QUERY_DEPTH", _integer),
    "max_aliases": ("PAKN_MAX_ALIASES", _integer),
    "max_tokens": ("PAKN_MAX_TOKENS", _integer),
    "max_query_cost": ("PAKN_MAX_QUERY_COST", _integer),
    "max_body_bytes": ("PAKN_MAX_BODY_BYTES", _integer),
    "max_upload_bytes": ("PAKN_MAX_UPLOAD_BYTES", _integer),
    "max_uploads": ("PAKN_MAX_UPLOADS", _integer),
    "max_upload_total": ("PAKN_MAX_UPLOAD_TOTAL", _integer),
    "upload_types": ("PAKN_UPLOAD_TYPES", _upload_types),
    "graphiql": ("PAKN_GRAPHIQL", _flag),
    "introspection": ("PAKN_INTROSPECTION", _flag),
    "compiled_queries": ("PAKN_COMPILED_QUERIES", _flag),
    "statement_timeout_seconds": ("PAKN_STATEMENT_TIMEOUT", _integer),
    "ranking_minimum": ("PAKN_RANKING_MINIMUM", _integer),
    "cors_origins": ("PAKN_CORS_ORIGINS", _items),
    "persisted_queries_max": ("PAKN_PERSISTED_QUERIES", _integer),
    "persisted_queries_max_bytes": ("PAKN_PERSISTED_QUERIES_BYTES", _integer),
    "cache_seconds": ("PAKN_CACHE_SECONDS", _integer),
    "request_timeout_seconds": ("PAKN_REQUEST_TIMEOUT", _number),
    "read_rate": ("PAKN_READ_RATE", _integer),
    "workers": ("PAKN_WORKERS", _integer),
    "trusted_proxies": ("PAKN_TRUSTED_PROXIES", _items),
    "max_sockets_per_client": ("PAKN_MAX_SOCKETS_PER_CLIENT", _integer),
    "max_sockets": ("PAKN_MAX_SOCKETS", _integer),
    "max_subscriptions_per_socket": ("PAKN_MAX_SUBSCRIPTIONS_PER_SOCKET", _integer),
    "max_replay": ("PAKN_MAX_REPLAY", _integer),
    "socket_init_timeout_seconds": ("PAKN_SOCKET_INIT_TIMEOUT", _number),
    "socket_recheck_seconds": ("PAKN_SOCKET_RECHECK", _number),
    "max_exports_per_client": ("PAKN_MAX_EXPORTS_PER_CLIENT", _integer),
    "contact_retention_days": ("PAKN_CONTACT_RETENTION_DAYS", _integer),
    "purge_interval_seconds": ("PAKN_PURGE_INTERVAL", _number),
    "encryption_key": ("PAKN_KEY_ENCRYPTION_KEY", _encryption_key),
    "public_url": ("PAKN_PUBLIC_URL", _http_url),
    "smtp_url": ("PAKN_SMTP_URL", _smtp_url),
    "mail_from": ("PAKN_MAIL_FROM", str),
    "overdue_interval_seconds": ("PAKN_OVERDUE_INTERVAL", _number),
    "auto_urge_days": ("PAKN_AUTO_URGE_DAYS", _integer),
    "outbox_interval_seconds": ("PAKN_OUTBOX_INTERVAL", _number),
    "checkpoint_seconds": ("PAKN_CHECKPOINT_SECONDS", _number),
    "witnesses": ("PAKN_WITNESSES", _witnesses),
    "webhook_allow_private": ("PAKN_WEBHOOK_ALLOW_PRIVATE", _flag),
    "log_format": ("PAKN_LOG_FORMAT", _log_format),
    "log_level": ("PAKN_LOG_LEVEL", _log_level),
    "metrics_token": ("PAKN_METRICS_TOKEN", _metrics_token),
}
"""Which environment variable sets which setting, and how its text is read; the secret key
is `server_secret_key`'s."""
