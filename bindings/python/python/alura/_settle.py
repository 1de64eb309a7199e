"""What became of a POST whose outcome was unknown: ``error.settle()`` (``alura::Settlement``)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from typing_extensions import Literal

SettlementStatus = Literal["landed", "not_landed", "still_unknown"]


class Settlement:
    """What the read-only lookup found.

    ``status`` is ``"landed"`` (it was carried out: ``result`` is what it made, as the server
    shows it now), ``"not_landed"`` (it was not: safe to send again, with a new idempotency key)
    or ``"still_unknown"`` (the lookup could not tell: do not send it again before you know).
    ``reason`` says how that is known.
    """

    __slots__ = ("status", "result", "reason")

    def __init__(self, status: SettlementStatus, result: Any = None, reason: Optional[str] = None) -> None:
        self.status = status
        self.result = result
        self.reason = reason

    @classmethod
    def _of(cls, found: Dict[str, Any]) -> "Settlement":
        return cls(found["status"], found.get("result"), found.get("reason"))

    @property
    def landed(self) -> bool:
        return self.status == "landed"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settlement):
            return NotImplemented
        return (self.status, self.result, self.reason) == (other.status, other.result, other.reason)

    def __repr__(self) -> str:
        said = f", reason={self.reason!r}" if self.reason is not None else ""
        return f"Settlement({self.status!r}{said})"
