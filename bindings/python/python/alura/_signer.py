"""Signers the SDK accepts besides a raw key: an ``eth_account`` account, or a function.

The Rust core asks for one EIP-191 ``personal_sign`` of the login challenge; this module turns
what the user gave into ``sign(message) -> bytes``, which the core calls with the GIL held only
for as long as the signer runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from typing import Any, Awaitable, Callable, Optional, Union

Signature = Union[str, bytes]
SignerFunction = Callable[[str], Union[Signature, Awaitable[Signature]]]


class _Signer:
    """What the native client calls: ``address`` and ``sign(message)``."""

    def __init__(self, signer: Any, address: Optional[str]) -> None:
        if hasattr(signer, "sign_message") and hasattr(signer, "address"):
            self._account = signer
            self._function: Optional[SignerFunction] = None
            self.address = str(address or signer.address)
        elif callable(signer):
            self._account = None
            self._function = signer
            named = address or getattr(signer, "address", None)
            if not named:
                raise TypeError("a signer function needs address=: the wallet address it signs for")
            self.address = str(named)
        else:
            raise TypeError(
                "signer must be an eth_account account (with .address and .sign_message) or a function "
                f"(message: str) -> signature, not {type(signer).__name__}"
            )

    def sign(self, message: str) -> Any:
        """The signature, or an awaitable of it for an async signer."""
        if self._account is not None:
            from eth_account.messages import encode_defunct

            return bytes(self._account.sign_message(encode_defunct(text=message)).signature)
        assert self._function is not None
        return self._function(message)

    @staticmethod
    def is_awaitable(value: Any) -> bool:
        return inspect.isawaitable(value)

    @staticmethod
    def run_blocking(awaitable: Awaitable[Signature]) -> Signature:
        """Runs an async signer's awaitable where no event loop can be borrowed: on a loop of
        its own, in a thread of its own (the calling thread may be running a loop already)."""

        async def wait() -> Signature:
            return await awaitable

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, wait()).result()
