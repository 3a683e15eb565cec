"""Log lines: plain text for a terminal, or JSON lines (TOLLGATE_LOG_FORMAT=json) that carry
the trace and span id of the work they belong to, so a log store can join them to traces."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import msgspec

from infra import tracing


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, service, and trace_id/span_id
    when the line was logged inside a span, exception when there is one."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.service:
            entry["service"] = self.service
        ids = tracing.current_ids()
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry).decode()


def use_format(log_format: str, service: str = "", loggers: tuple[str, ...] = ()) -> None:
    """Switch the root logger's handlers (and those of `loggers`, which keep their own, as
    uvicorn's do) to JSON lines when asked; text stays as it is."""
    if log_format != "json":
        return
    for name in ("", *loggers):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(JsonLines(service))
