"""Against the live demo gateway (CONTRACTS section 5). Skipped, loudly, while the demo binary is missing."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Demo

import metaapi_client as mc


def test_account_info(demo: Demo) -> None:
    with mc.Client(demo.url, demo.token) as client:
        account = client.get_account_info()
        assert account.currency and account.leverage > 0 and account.balance > 0
        assert client.ping().pong is True


def test_a_trade_repeated_with_its_client_id_executes_once(demo: Demo) -> None:
    with mc.Client(demo.url, demo.token) as client:
        before = len(client.get_positions(symbol="EURUSD").positions)
        client_id = mc.new_client_id()
        first = client.place_order(symbol="EURUSD", type="buy", volume=0.01, client_id=client_id)
        again = client.place_order(symbol="EURUSD", type="buy", volume=0.01, client_id=client_id)
        assert first.retcode == 10009 and first.client_id == client_id
        assert (again.order, again.deal, again.position_id) == (first.order, first.deal, first.position_id)
        assert len(client.get_positions(symbol="EURUSD").positions) == before + 1
        record = client.get_trade_result(client_id=client_id)
        assert record.client_id == client_id
        with pytest.raises(mc.ClientIdConflict):
            client.place_order(symbol="EURUSD", type="sell", volume=0.02, client_id=client_id)


def test_a_subscription_receives_quotes(demo: Demo) -> None:
    async def main() -> None:
        async with await mc.AsyncClient(demo.url, demo.token).subscribe(
                [{"type": "quotes", "symbol": "EURUSD"}]) as stream:
            while True:
                item = await stream.next(10)
                if isinstance(item, mc.Event) and item.method == "quote":
                    assert item.data.symbol == "EURUSD" and item.data.ask >= item.data.bid > 0
                    return

    asyncio.run(main())


def test_a_bad_token_is_refused_with_its_reason(demo: Demo) -> None:
    with mc.Client(demo.url, "mat_" + "0" * 40, retry=mc.RetryPolicy(attempts=1)) as client:
        with pytest.raises(mc.Unauthorized) as raised:
            client.get_account_info()
    assert raised.value.kind in {"token_unknown", "token_missing"}

    async def ws() -> None:
        with pytest.raises(mc.Unauthorized):
            await mc.AsyncClient(demo.url, "mat_" + "0" * 40).subscribe([{"type": "account"}])

    asyncio.run(ws())
