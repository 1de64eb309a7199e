"""An answer as the server sent it, for ``client.with_raw_response``."""

from __future__ import annotations

from typing import Any, Dict, Optional


class RawResponse:
    """An answer as the server sent it: ``status_code``, ``headers``, the ``content`` bytes, and
    ``parse()`` for the JSON."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: Optional[int], headers: Dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def parse(self) -> Any:
        """The body as JSON (None when empty)."""
        import json

        return json.loads(self.content) if self.content.strip() else None

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code!r}, {len(self.content)} bytes)"
