"""Bring your own signer, sign only the challenge we expect, keep and reuse tokens."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, List

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

import alura
from alura.testing import MockServer

from conftest import sent


def test_an_eth_account_logs_in(mock: MockServer) -> None:
    account = Account.create()
    client = alura.Client(base_url=mock.url, signer=account, strict=True)
    assert client.address == account.address
    assert client.get_profile()["address"] == account.address


def test_a_function_signs_sync_and_async(mock: MockServer) -> None:
    account = Account.create()
    asked: List[str] = []

    def sign(message: str) -> bytes:
        asked.append(message)
        return bytes(account.sign_message(encode_defunct(text=message)).signature)

    client = alura.Client(base_url=mock.url, signer=sign, address=account.address)
    assert client.get_profile()["address"] == account.address
    assert len(asked) == 1 and account.address in asked[0]

    async def sign_async(message: str) -> str:
        return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")

    blocking = alura.Client(base_url=mock.url, signer=sign_async, address=account.address)
    blocking.login()  # an async signer under a blocking client runs on a loop of its own

    async def main() -> None:
        aclient = alura.AsyncClient(base_url=mock.url, signer=sign_async, address=account.address)
        profile = await aclient.get_profile()
        assert profile["address"] == account.address

    import asyncio

    asyncio.run(main())
    assert sent(mock, "verify_signature") == 3


def test_an_async_signer_runs_on_the_loop_of_the_call_that_logs_in(mock: MockServer) -> None:
    # A signer holding what belongs to a loop (an aiohttp session, an async KMS client) must run
    # on the caller's loop, though the login itself runs on the SDK's own runtime.
    import asyncio

    account = Account.create()
    seen: List[object] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()

        async def sign(message: str) -> str:
            seen.append(asyncio.get_running_loop() is loop)
            return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")

        client = alura.AsyncClient(base_url=mock.url, signer=sign, address=account.address)
        assert (await client.get_profile())["address"] == account.address

    asyncio.run(main())
    assert seen == [True]


def test_a_signer_may_make_sync_calls(mock: MockServer) -> None:
    # The login waits on the signer, on the calling thread, inside the call's own runtime: the
    # signer's call must run elsewhere, not fail or wait for ever.
    account, other = Account.create(), alura.Client(base_url=mock.url)

    def sign(message: str) -> bytes:
        assert len(other.get_latest_candles()) == 6
        return bytes(account.sign_message(encode_defunct(text=message)).signature)

    client = alura.Client(base_url=mock.url, signer=sign, address=account.address)
    assert client.get_profile()["address"] == account.address


def test_a_failing_signer_is_an_authentication_error_with_its_cause(mock: MockServer) -> None:
    def broken(message: str) -> bytes:
        raise RuntimeError("the hardware wallet is locked")

    client = alura.Client(base_url=mock.url, signer=broken, address=Account.create().address)
    with pytest.raises(alura.AuthenticationError) as info:
        client.get_profile()
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "locked" in str(info.value)
    other = Account.create()
    wrong = alura.Client(
        base_url=mock.url,
        signer=lambda m: bytes(other.sign_message(encode_defunct(text=m)).signature),
        address=Account.create().address,
    )
    with pytest.raises(alura.AuthenticationError, match="not by the signer's address"):
        wrong.login()
    assert sent(mock, "verify_signature") == 0, "nothing bad reached the server"
    with pytest.raises(TypeError, match="address="):
        alura.Client(base_url=mock.url, signer=lambda m: b"")


@pytest.mark.parametrize(
    "message, why",
    [
        ("evil.example wants you to sign in with your Ethereum account:\n{a}\n\nURI: https://evil.example\nNonce: nonce-001", "evil.example"),
        ("Sign in\nAddress: {a}\nNonce: another-nonce", "nonce"),
        ("Sign in\nAddress: 0x000000000000000000000000000000000000dEaD\nNonce: nonce-001", "our address"),
    ],
)
def test_a_hostile_challenge_is_refused_and_nothing_is_signed(mock: MockServer, message: str, why: str) -> None:
    account = Account.create()
    signed: List[str] = []

    def sign(m: str) -> bytes:
        signed.append(m)
        return bytes(account.sign_message(encode_defunct(text=m)).signature)

    body = json.dumps({"address": account.address, "nonce": "nonce-001", "message": message.format(a=account.address)})
    mock.inject_fault("request_challenge", kind="raw", status=201, headers={"content-type": "application/json"}, body=body)
    client = alura.Client(base_url=mock.url, signer=sign, address=account.address)
    with pytest.raises(alura.AuthenticationError, match=why):
        client.login()
    assert signed == [] and sent(mock, "verify_signature") == 0


def _jwt(exp: int) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{enc({'alg': 'HS256'})}.{enc({'sub': 'u', 'exp': exp})}.c2ln"


def test_a_saved_token_that_lapsed_means_one_login_first(mock: MockServer, key: str) -> None:
    lapsed = _jwt(int(time.time()) - 60)
    client = alura.Client(base_url=mock.url, private_key=key, token=lapsed)
    token = client.token
    assert token is not None and token.expires_at is not None and token.expires_at.timestamp() < time.time()
    assert "***" in repr(token) and lapsed not in repr(token)
    client.get_profile()
    assert sent(mock, "verify_signature") == 1
    assert [r["status"] for r in mock.requests("get_profile")] == [200], "no call with the lapsed token"
    fresh = client.token
    assert fresh is not None and fresh.value != lapsed


SCRIPT = """
import sys, alura
client = alura.Client(base_url=sys.argv[1], private_key=sys.argv[2], token_cache=sys.argv[3])
client.get_profile()
"""


def test_the_token_cache_is_reused_by_another_process_and_private(mock: MockServer, key: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "tokens.json"
    seen: List[Any] = []
    first = alura.Client(base_url=mock.url, private_key=key, token_cache=str(cache), on_token=seen.append)
    first.login()
    assert len(seen) == 1 and isinstance(seen[0], alura.Token) and seen[0].value == first.token.value  # type: ignore[union-attr]
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    for _ in range(2):
        subprocess.run([sys.executable, "-c", SCRIPT, mock.url, key, str(cache)], check=True, timeout=60)
    assert sent(mock, "verify_signature") == 1, "the other processes reused the cached token"
    cache.write_text("{ corrupt")
    alura.Client(base_url=mock.url, private_key=key, token_cache=str(cache)).login()
    assert sent(mock, "verify_signature") == 2, "a corrupt cache is ignored, then replaced"
    assert json.loads(cache.read_text())["version"] == 1


def test_a_sign_in_for_another_site_names_the_ways_out_and_a_trusted_one_is_signed(mock: MockServer) -> None:
    account = Account.create()
    signed: List[str] = []

    def sign(m: str) -> bytes:
        signed.append(m)
        return bytes(account.sign_message(encode_defunct(text=m)).signature)

    message = f"app.partner.example wants you to sign in with your Ethereum account:\n{account.address}\n\nURI: https://app.partner.example\nNonce: nonce-001"
    body = json.dumps({"address": account.address, "nonce": "nonce-001", "message": message})
    fault = dict(kind="raw", status=201, headers={"content-type": "application/json"}, body=body)
    mock.inject_fault("request_challenge", **fault)
    with pytest.raises(alura.AuthenticationError) as info:
        alura.Client(base_url=mock.url, signer=sign, address=account.address).login()
    for words in ("app.partner.example", "trusted_domains", "verify_challenge=False"):
        assert words in str(info.value)
    assert signed == []
    with pytest.raises(alura.ValidationError, match="trusted_domains must be a list of str"):
        alura.Client(base_url=mock.url, trusted_domains="app.partner.example")  # type: ignore[arg-type]
    mock.inject_fault("request_challenge", **fault)
    trusting = alura.Client(base_url=mock.url, signer=sign, address=account.address, trusted_domains=["app.partner.example"])
    trusting.login()  # the simulator refuses a message it did not issue; the login's second try passes
    assert signed[0] == message, "a trusted site's sign-in was signed"
