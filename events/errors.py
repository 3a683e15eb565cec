"""Domain errors raised by deciders; the API maps each code to an HTTP status."""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal["refused", "forbidden", "not_found", "conflict", "invalid"]


class DomainError(Exception):
    """A command was refused. `detail` is a sentence a person understands."""

    code: ErrorCode = "refused"

    def __init__(self, detail: str, *, unmet: list[str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.unmet = unmet or []


class Refused(DomainError):
    code: ErrorCode = "refused"


class Forbidden(DomainError):
    code: ErrorCode = "forbidden"


class NotFound(DomainError):
    code: ErrorCode = "not_found"


class Invalid(DomainError):
    code: ErrorCode = "invalid"
