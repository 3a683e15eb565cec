"""Domain errors raised by deciders; the API maps each code to an HTTP status."""

from __future__ import annotations

from typing import Literal

# "unavailable": the service failed while handling the command (its database went away,
# say); the command may or may not have been applied
# PostgreSQL stores no NUL, in text or in jsonb: every input refuses it with this
NUL_MESSAGE = "text may not contain NUL characters (\\u0000)"
ErrorCode = Literal["refused", "forbidden", "not_found", "conflict", "invalid", "unavailable"]


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


NOT_OPEN = "is not open yet"


class NotOpen(NotFound):
    """The stage has not opened (yet): its opening travels over JetStream from the
    previous stage's gate decision, so a caller may retry for a moment."""

    def __init__(self, stage: str) -> None:
        super().__init__(f"the {stage} of this initiative {NOT_OPEN}")
