"""Every exception class, each from a real scenario against the simulator."""

from __future__ import annotations

import datetime
import socket

import pytest

import alura
from alura.testing import MockServer

from conftest import sent


def test_validation_error_before_anything_is_sent(mock: MockServer, client: alura.Client) -> None:
    client.login()
    with pytest.raises(alura.ValidationError) as info:
        client.create_trading_session(budget=5, profit_target=600, asset_index=0)
    assert str(info.value) == (
        "invalid input: create_trading_session(): budget must not be less than 10; profit_target must not be greater than 500"
    )
    assert isinstance(info.value, ValueError)
    with pytest.raises(alura.ValidationError, match="Reckless"):
        client.create_advance_trading_session(
            amount=50, execution_strategy="Reckless", strategy_duration="1D", asset_index=0  # type: ignore[arg-type]
        )
    with pytest.raises(alura.ValidationError, match="a datetime cannot be sent"):
        client.withdraw(amount=datetime.datetime.now())  # type: ignore[arg-type]
    with pytest.raises(alura.ValidationError, match="budget"):
        client.create_trading_session(budget="lots", profit_target=40, asset_index=0)  # type: ignore[arg-type]
    with pytest.raises(alura.ValidationError, match="not a finite number"):
        client.withdraw(amount=float("nan"))
    assert sent(mock, "create_trading_session") == sent(mock, "withdraw") == 0


def test_bad_request_carries_the_servers_message_list(client: alura.Client) -> None:
    with pytest.raises(alura.BadRequestError) as info:
        client.create_trading_session(budget=100, profit_target=40, asset_index=9)
    err = info.value
    assert err.status == 400
    assert err.messages == ["assetIndex must be a valid asset index (0-5)"]
    assert err.body["error"] == "Bad Request"
    assert isinstance(err, alura.APIError) and isinstance(err, alura.AluraError)


def test_authentication_error_for_a_refused_token_and_for_no_credentials(mock: MockServer) -> None:
    bad = alura.Client(base_url=mock.url, token="alura_made_up_token")
    with pytest.raises(alura.AuthenticationError) as info:
        bad.get_profile()
    assert info.value.status == 401
    assert "alura_made_up_token" not in str(info.value)
    with pytest.raises(alura.AuthenticationError, match="no credentials"):
        alura.Client(base_url=mock.url).get_profile()


def test_a_refused_login_is_an_authentication_error(mock: MockServer, client: alura.Client) -> None:
    mock.inject_faults("verify_signature", [{"kind": "status", "status": 401}] * 2)
    with pytest.raises(alura.AuthenticationError, match="login refused"):
        client.login()
    assert sent(mock, "request_challenge") == 2, "a refused verify starts over once from a new challenge"


def test_not_found_forbidden_and_conflict(mock: MockServer, client: alura.Client, key: str) -> None:
    with pytest.raises(alura.NotFoundError, match="No active trade"):
        client.get_current_trade()
    session = client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    other = alura.Client(base_url=mock.url, private_key="0x" + "11" * 32)
    with pytest.raises(alura.PermissionDeniedError):
        other.get_session_logs(session["id"])
    tx = "0x" + "ab" * 32
    client.verify_usdc_deposit(tx_hash=tx)
    with pytest.raises(alura.ConflictError):
        client.verify_usdc_deposit(tx_hash=tx)


def test_rate_limit_error_carries_retry_after(mock: MockServer, client: alura.Client) -> None:
    mock.inject_fault("get_symbols", kind="status", status=429, headers={"Retry-After": "600"})
    with pytest.raises(alura.RateLimitError) as info:
        client.get_symbols()
    assert info.value.retry_after == 600.0 and info.value.status == 429
    assert sent(mock, "get_symbols") == 1, "a wait past the deadline fails at once"


def test_outcome_unknown_when_a_post_times_out(mock: MockServer, key: str) -> None:
    client = alura.Client(base_url=mock.url, private_key=key, timeout=0.3)
    client.login()
    mock.inject_fault("create_trading_session", kind="delay", ms=1500)
    with pytest.raises(alura.OutcomeUnknownError) as info:
        client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    assert info.value.operation == "create_trading_session"
    assert sent(mock, "create_trading_session") == 1, "sent once, never again"


def test_timeout_error_for_a_get(mock: MockServer) -> None:
    client = alura.Client(base_url=mock.url, timeout=0.2, max_retries=1)
    mock.inject_faults("get_symbols", [{"kind": "delay", "ms": 1500}] * 2)
    with pytest.raises(alura.TimeoutError) as info:
        client.get_symbols()
    assert isinstance(info.value, TimeoutError), "also the builtin TimeoutError"
    assert sent(mock, "get_symbols") == 2


def test_network_error_for_a_dead_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = alura.Client(base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(alura.NetworkError) as info:
        client.health_check()
    assert isinstance(info.value, ConnectionError)


def test_internal_server_error_and_decode_error(mock: MockServer) -> None:
    client = alura.Client(base_url=mock.url, max_retries=0)
    mock.inject_fault("health_check", kind="status", status=503)
    with pytest.raises(alura.InternalServerError) as info:
        client.health_check()
    assert info.value.status == 503
    mock.inject_fault("health_check", kind="malformed")
    with pytest.raises(alura.DecodeError):
        client.health_check()


def test_every_error_of_a_call_names_its_request_id_and_keeps_the_headers(mock: MockServer, client: alura.Client) -> None:
    with pytest.raises(alura.NotFoundError) as info:
        client.get_current_trade()
    err = info.value
    assert err.request_id is not None and err.request_id.startswith("req_")
    assert err.request_id in str(err)
    assert err.headers.get("content-type", "").startswith("application/json")
    assert err.idempotency_key is None, "a GET has no idempotency key"
    mock.inject_fault("create_trading_session", kind="status", status=502)
    with pytest.raises(alura.OutcomeUnknownError) as unknown:
        client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    sent_key = mock.requests("create_trading_session")[-1]["idempotencyKey"]
    assert unknown.value.idempotency_key == sent_key, "the key to reconcile the order with"
    assert unknown.value.request_id is not None


def test_an_asset_goes_by_asset_index_or_symbol_and_a_bad_value_lists_the_good(client: alura.Client) -> None:
    assert len(client.get_candles(alura.Asset.ETH, "1h", limit=3)) == 3
    assert client.create_trading_session(budget=100, profit_target=40, asset_index="sol")["assetIndex"] == 2
    with pytest.raises(alura.ValidationError, match=r"asset_index: unknown asset \"PEPE\": expected an index or one of BTC, ETH"):
        client.create_trading_session(budget=100, profit_target=40, asset_index="PEPE")
    with pytest.raises(alura.ValidationError, match=r"get_candles\(\): interval: .* expected one of `1m`, `5m`"):
        client.get_candles("BTC", "2h")  # type: ignore[arg-type]
    with pytest.raises(alura.ValidationError, match="no asset has index 99"):
        client.candles_df(99)


def test_refused_arguments_are_named_and_typed_in_pythons_words(client: alura.Client) -> None:
    cases = [
        (lambda: client.get_candles("BTC", "1h", limit=0), "get_candles(): limit: must be at least 1, not 0"),
        (
            lambda: client.create_trading_session(budget=100, profit_target=40, asset_index=0, max_positions="two"),  # type: ignore[arg-type]
            'create_trading_session(): max_positions: string "two", expected an integer of at least 1',
        ),
    ]
    for call, message in cases:
        with pytest.raises(alura.ValidationError) as info:
            call()
        assert str(info.value) == f"invalid input: {message}"
        assert "i64" not in str(info.value) and "u64" not in str(info.value)


def test_errors_live_print_and_pickle_as_alura_classes() -> None:
    import pickle

    client = alura.Client(base_url="http://127.0.0.1:9", private_key="0x" + "31" * 32, max_retries=0)
    with pytest.raises(alura.NetworkError) as info:
        client.get_profile()
    err = info.value
    assert type(err).__module__ == "alura" and repr(type(err)) == "<class 'alura.NetworkError'>"
    assert "while logging in (request_challenge): POST http://127.0.0.1:9/auth/evm/challenge" in str(err), str(err)
    assert err.idempotency_key is None, "a GET has no idempotency key, nor does a login"
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is alura.NetworkError and str(again) == str(err) and again.request_id == err.request_id


def test_a_bad_signer_address_is_a_validation_error() -> None:
    with pytest.raises(alura.ValidationError, match="is not an address"):
        alura.Client(signer=lambda message: b"", address="0xnope")


def test_drift_mode_can_be_switched_on_a_running_simulator(key: str) -> None:
    from decimal import Decimal

    with MockServer() as mock:
        client = alura.Client(base_url=mock.url, private_key=key)
        assert client.get_profile()["balance"] == Decimal(10000)
        mock.set_drift(True)
        raw = client.with_raw_response.get_profile()
        assert b'"balance":"10000.00"' in raw.content.replace(b" ", b""), "money as a string, as TypeORM serves it"


def test_is_timeout_says_whether_the_call_ran_out_of_time(mock: MockServer, key: str) -> None:
    client = alura.Client(base_url=mock.url, private_key=key, timeout=0.3, max_retries=0)
    client.login()
    mock.inject_fault("get_symbols", kind="delay", ms=1500)
    with pytest.raises(alura.TimeoutError) as get:
        client.get_symbols()
    assert get.value.is_timeout()
    mock.inject_fault("create_trading_session", kind="delay", ms=1500)
    with pytest.raises(alura.OutcomeUnknownError) as post:
        client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    assert post.value.is_timeout() and post.value.timed_out
    mock.inject_fault("create_trading_session", kind="status", status=503)
    with pytest.raises(alura.OutcomeUnknownError) as failed:
        client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    assert not failed.value.is_timeout() and failed.value.timed_out is False
    with pytest.raises(alura.ValidationError) as invalid:
        client.create_trading_session(budget="lots", profit_target=40, asset_index=0)
    assert not invalid.value.is_timeout()


def test_an_async_clients_unknown_outcome_settles_awaitably_and_still_pickles(mock: MockServer, key: str) -> None:
    import asyncio
    import pickle

    async def run() -> alura.Settlement:
        client = alura.AsyncClient(base_url=mock.url, private_key=key)
        await client.login()
        mock.inject_fault("create_trading_session", kind="close")
        try:
            await client.create_trading_session(budget=100, profit_target=40, asset_index="ETH")
        except alura.OutcomeUnknownError as e:
            copy = pickle.loads(pickle.dumps(e))
            assert str(copy) == str(e) and not hasattr(copy, "_settle"), "the lookup stays behind"
            with pytest.raises(alura.ValidationError, match="did not come from a call"):
                copy.settle()
            return await e.settle()  # type: ignore[no-any-return]
        raise AssertionError("no unknown outcome")

    settled = asyncio.run(run())
    assert settled.status == "not_landed" and not settled.landed, settled
    assert "no active session for asset 1" in (settled.reason or "")
    assert sent(mock, "create_trading_session") == 1, "never sent again"
