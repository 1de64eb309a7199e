"""The perps Alura trades, by Hyperliquid asset index."""

from __future__ import annotations

from enum import IntEnum

from ._exceptions import ValidationError


class Asset(IntEnum):
    """A Hyperliquid perp; an ``int`` where the API takes ``asset_index``."""

    BTC = 0
    ETH = 1
    SOL = 2
    XRP = 3
    DOGE = 4
    AVAX = 5

    @property
    def symbol(self) -> str:
        """The ticker, as market-data calls take it."""
        return self.name

    @classmethod
    def from_symbol(cls, symbol: str) -> Asset:
        """The asset of a ticker, in any case."""
        try:
            return cls[symbol.strip().upper()]
        except KeyError:
            names = ", ".join(a.name for a in cls)
            raise ValidationError(f"unknown asset {symbol!r}: expected one of {names}") from None
