"""The perps Alura trades, by Hyperliquid asset index."""

from __future__ import annotations

from enum import IntEnum

from typing_extensions import Self

from ._exceptions import ValidationError


class AssetMethods(IntEnum):
    """What every ``Asset`` can do. An enum without members, so ``Asset`` can extend it with the
    members `cargo xtask gen` writes from the spec (``_generated/assets.py``)."""

    @property
    def symbol(self) -> str:
        """The ticker, as market-data calls take it."""
        return self.name

    @classmethod
    def from_symbol(cls, symbol: str) -> Self:
        """The asset of a ticker, in any case."""
        try:
            return cls[symbol.strip().upper()]
        except KeyError:
            names = ", ".join(a.name for a in cls)
            raise ValidationError(f"unknown asset {symbol!r}: expected one of {names}") from None
