"""When a paged operation has no more pages: the same rule as the Rust core's log stream."""

from __future__ import annotations

from typing import Any, Optional


def last_page(result: Any, page: int, limit: Optional[int], count: int) -> bool:
    """An empty page is the last; so is one that reaches ``total``. ``limit`` and ``total``
    are best effort: without ``total``, a page shorter than the page size is the last."""
    if count == 0:
        return True
    size = result.get("limit") or limit
    total = result.get("total")
    if isinstance(total, (int, float)) and not isinstance(total, bool) and size:
        return bool(page * int(size) >= total)
    return size is not None and count < int(size)
