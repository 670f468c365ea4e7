"""The HTTP client against a scripted local server: request shape, client_id reuse on retry, error mapping."""

from __future__ import annotations

import asyncio

import pytest
from conftest import EXAMPLES, FakeGateway, drop, error, example_result, result

import metaapi_client as mc
from metaapi_client import models as m

FAST = mc.RetryPolicy(attempts=3, backoff=0.001)


def test_a_call_sends_json_rpc_with_the_bearer_token(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(example_result("get_account_info"))
    with mc.Client(fake_gateway.url + "/", "mat_secret") as client:
        account = client.get_account_info()
    assert isinstance(account, m.AccountInfo)
    assert account.equity == 9987.6 and account.currency == "USD"
    [request] = fake_gateway.requests
    assert request["jsonrpc"] == "2.0" and request["method"] == "get_account_info" and request["params"] == {}
    assert isinstance(request["id"], int)
    assert fake_gateway.headers[0]["authorization"] == "Bearer mat_secret"
    assert "mat_secret" not in repr(client)


def test_keyword_params_are_validated_and_sent_by_their_wire_names(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(example_result("get_history_orders"))
    with mc.Client(fake_gateway.url, "t") as client:
        page = client.get_history_orders(from_=1717200000000, to=1718099535123, limit=100)
        assert page.orders[0].ticket == "1409873311"
        with pytest.raises(ValueError):
            client.get_history_orders(limit=0)  # below the schema's minimum: refused before sending
    assert fake_gateway.requests[0]["params"] == {"from": 1717200000000, "to": 1718099535123, "offset": 0,
                                                  "limit": 100}
    assert len(fake_gateway.requests) == 1


def test_a_trading_call_gets_a_client_id_and_every_retry_reuses_it(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(error("not_executed", -32003), drop(), example_result("place_order"))
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client:
        trade = client.place_order(symbol="EURUSD", type=m.OrderType.buy, volume=0.2)
    assert trade.retcode == 10009
    ids = [request["params"]["client_id"] for request in fake_gateway.requests]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert 1 <= len(ids[0]) <= 64
    # JSON-RPC ids differ per attempt; the idempotency key does not.
    assert len({request["id"] for request in fake_gateway.requests}) == 3


def test_a_given_client_id_is_kept(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(example_result("close_position"))
    with mc.Client(fake_gateway.url, "t") as client:
        client.close_position(ticket="1409873311", client_id="mine-1")
    assert fake_gateway.requests[0]["params"]["client_id"] == "mine-1"


def test_two_trading_calls_get_different_client_ids(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = example_result("place_order")
    with mc.Client(fake_gateway.url, "t") as client:
        client.place_order(symbol="EURUSD", type="buy", volume=0.1)
        client.place_order(symbol="EURUSD", type="buy", volume=0.1)
    first, second = (request["params"]["client_id"] for request in fake_gateway.requests)
    assert first != second


def test_an_unknown_outcome_is_retried_with_the_same_id_and_names_it_when_attempts_run_out(
        fake_gateway: FakeGateway) -> None:
    fake_gateway.default = error("outcome_unknown", -32004, "Outcome unknown")
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client, pytest.raises(mc.OutcomeUnknown) as raised:
        client.place_order(symbol="EURUSD", type="sell", volume=0.1)
    ids = {request["params"]["client_id"] for request in fake_gateway.requests}
    assert len(fake_gateway.requests) == 3 and ids == {raised.value.client_id}


def test_a_read_is_not_repeated_after_an_unknown_outcome(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = error("outcome_unknown", -32004)
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client, pytest.raises(mc.OutcomeUnknown):
        client.get_positions()
    assert len(fake_gateway.requests) == 1


def test_a_trade_rejection_is_final_and_carries_the_retcode(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = error("trade_rejected", -32005, "Invalid volume", retcode=10014,
                                 retcode_name="TRADE_RETCODE_INVALID_VOLUME")
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client, pytest.raises(mc.TradeRejected) as raised:
        client.place_order(symbol="EURUSD", type="buy", volume=1000)
    assert raised.value.retcode == 10014 and raised.value.retcode_name == "TRADE_RETCODE_INVALID_VOLUME"
    assert raised.value.kind == "trade_rejected" and not raised.value.retryable
    assert len(fake_gateway.requests) == 1


def test_rate_limited_is_retried_after_the_wait_it_names(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(error("rate_limited", -32007, status=429, retry_after_ms=5), example_result("get_quote"))
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client:
        assert client.get_quote(symbol="EURUSD").bid == 1.08512
    assert len(fake_gateway.requests) == 2


def test_an_auth_refusal_is_unauthorized_with_its_reason(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = error("token_expired", -32001, "Unauthorized", status=401)
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client, pytest.raises(mc.Unauthorized) as raised:
        client.ping()
    assert raised.value.kind == "token_expired" and raised.value.code == -32001
    assert len(fake_gateway.requests) == 1


def test_a_body_that_is_not_json_rpc_is_a_transport_error(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = lambda request: (502, b"<html>bad gateway</html>")
    with mc.Client(fake_gateway.url, "t", retry=mc.RetryPolicy(attempts=1)) as client:
        with pytest.raises(mc.TransportError, match="HTTP 502"):
            client.ping()


def test_an_answer_that_does_not_match_the_result_type_is_a_decode_error(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = result({"pong": "yes"})
    with mc.Client(fake_gateway.url, "t", retry=FAST) as client, pytest.raises(mc.DecodeError, match="ping"):
        client.ping()
    assert len(fake_gateway.requests) == 1


def test_an_unreachable_gateway_is_a_transport_error() -> None:
    with mc.Client("http://127.0.0.1:9", "t", retry=mc.RetryPolicy(attempts=1)) as client:
        with pytest.raises(mc.TransportError):
            client.get_account_info()


def test_call_by_name_takes_a_dict_or_a_model_and_refuses_stream_methods(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = example_result("get_quote")
    with mc.Client(fake_gateway.url, "t") as client:
        assert client.call("get_quote", {"symbol": "EURUSD"}).ask == 1.08518
        assert client.call("get_quote", m.SymbolParams(symbol="EURUSD")).ask == 1.08518
        with pytest.raises(ValueError, match="WebSocket"):
            client.call("subscribe", {"streams": []})
        with pytest.raises(ValueError, match="unknown method"):
            client.call("no_such_method")


def test_the_async_client_retries_trades_with_the_same_client_id(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply_next(error("terminal_offline", -32002), example_result("place_order"))

    async def main() -> m.TradeResult:
        async with mc.AsyncClient(fake_gateway.url, "t", retry=FAST) as client:
            return await client.place_order(symbol="EURUSD", type="buy", volume=0.2, sl=1.0801)

    trade = asyncio.run(main())
    assert trade.order == "1409873311"
    first, second = fake_gateway.requests
    assert first["params"] == second["params"] and first["params"]["sl"] == 1.0801
    assert EXAMPLES["methods"]["place_order"]["params"]["filling"] == first["params"]["filling"] == "auto"
