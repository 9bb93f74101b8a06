"""How a pakn process logs: one JSON object a line on stderr (PAKN_LOG_FORMAT=json, the
default), or a line for people to read (`text`), at PAKN_LOG_LEVEL (info).

It is the configuration of every logger of the process, pakn's, uvicorn's and any
library's, so that a log shipper parses every line the same way; an exception is one line
too, its traceback in the `exception` field. A line has `ts` (ISO 8601, UTC), `level`,
`logger` and `message`, then the fields its caller gave under `FIELDS`
(`logger.info(..., extra={FIELDS: {...}})`): the access log's (`app.web.observation`).

What stays out: uvicorn's access log and its per-connection WebSocket lines, which print
the raw client address and the path with its query string, where secrets travel
(`/unsubscribe/<token>`, a file grant); pakn's own access log replaces them.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

import orjson

from app.settings import ENVIRONMENT, Settings

FIELDS = "pakn_fields"
"""The `extra` key of a record's structured fields."""
QUIET_FOLDERS = (os.path.join("uvicorn", "protocols", ""), os.path.join("websockets", ""))
"""uvicorn's per-connection lines come from its protocols and the websockets library."""
TALKATIVE = ("httpx", "httpcore", "aiosqlite", "websockets")
"""Libraries whose info and debug lines name URLs, statements and their parameters, or
frames' contents: warnings and above only."""


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = record.__dict__.get(FIELDS)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=repr).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = record.__dict__.get(FIELDS)
        if not fields:
            return line
        return line + "".join(f" {k}={v}" for k, v in fields.items() if v is not None)


class QuietConnections(logging.Filter):
    """Drops uvicorn's lines about single connections (see the module); its warnings and
    errors pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        return not any(folder in record.pathname for folder in QUIET_FOLDERS)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a pakn process (uvicorn's `log_config`)."""
    level = level.upper()
    quieter = level if logging.getLevelName(level) >= logging.WARNING else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "text": {"()": f"{__name__}.TextFormatter"},
        },
        "filters": {"quiet": {"()": f"{__name__}.QuietConnections"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "text" if log_format == "text" else "json",
                "filters": ["quiet"],
            }
        },
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            **{name: {"level": quieter} for name in TALKATIVE},
        },
        "root": {"level": level, "handlers": ["stderr"]},
    }


def configured_logging() -> dict[str, Any]:
    """`logging_config` of PAKN_LOG_FORMAT and PAKN_LOG_LEVEL (checked as `Settings` does:
    `pakn` refuses a bad one at start, before any worker is spawned)."""
    chosen = {}
    for name in ("log_format", "log_level"):
        variable, parse = ENVIRONMENT[name]
        raw = os.environ.get(variable)
        chosen[name] = parse(raw) if raw else getattr(Settings, name)
    return logging_config(chosen["log_format"], chosen["log_level"])
