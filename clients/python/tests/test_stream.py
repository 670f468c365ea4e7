"""The event stream against a scripted WebSocket server on 127.0.0.1: order, gaps, resync, revocation, refusal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import EXAMPLES
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Response

import metaapi_client as mc

SNAPSHOT = {"seq": 0, "account": EXAMPLES["methods"]["get_account_info"]["result"], "positions": [], "orders": []}


def quote(seq: int, bid: float = 1.1) -> str:
    data = dict(EXAMPLES["notifications"]["quote"]["params"]["data"], bid=bid)
    return json.dumps({"jsonrpc": "2.0", "method": "quote", "params": {"seq": seq, "subscription_id": "s1",
                                                                          "data": data}})


async def answer_subscribe(ws: ServerConnection, seq: int = 0) -> dict[str, Any]:
    request = json.loads(await ws.recv())
    assert request["method"] == "subscribe"
    subscriptions = [{"id": f"s{i + 1}", "stream": stream} for i, stream in enumerate(request["params"]["streams"])]
    await ws.send(json.dumps({"jsonrpc": "2.0", "id": request["id"],
                              "result": {"subscriptions": subscriptions, "seq": seq}}))
    return request


async def answer_snapshot(ws: ServerConnection, seq: int) -> None:
    request = json.loads(await ws.recv())
    assert request["method"] == "get_snapshot"
    await ws.send(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": dict(SNAPSHOT, seq=seq)}))


async def with_server(handler: Callable[[ServerConnection], Awaitable[None]],
                      body: Callable[[str], Awaitable[None]], process_request: Any = None) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []

    async def handle(ws: ServerConnection) -> None:
        seen.append({key.lower(): value for key, value in ws.request.headers.raw_items()})
        await handler(ws)

    async with serve(handle, "127.0.0.1", 0, process_request=process_request) as server:
        port = server.sockets[0].getsockname()[1]
        await asyncio.wait_for(body(f"http://127.0.0.1:{port}"), 10)
    return seen


def test_quotes_arrive_in_order_with_the_token_and_typed_data() -> None:
    async def handler(ws: ServerConnection) -> None:
        request = await answer_subscribe(ws)
        assert request["params"] == {"streams": [{"type": "quotes", "symbol": "EURUSD"}]}
        for seq in (1, 2, 3):
            await ws.send(quote(seq, 1.1 + seq / 1000))
        await ws.wait_closed()

    async def body(url: str) -> None:
        stream = await mc.AsyncClient(url, "mat_tok").subscribe([{"type": "quotes", "symbol": "EURUSD"}])
        async with stream:
            assert [s.id for s in stream.subscriptions] == ["s1"]
            items = [await stream.next(5) for _ in range(3)]
        assert all(isinstance(item, mc.Event) and item.method == "quote" for item in items)
        assert [item.seq for item in items] == [1, 2, 3]
        assert items[2].data.bid == pytest.approx(1.103) and items[0].subscription_id == "s1"

    headers = asyncio.run(with_server(handler, body))
    assert headers[0]["authorization"] == "Bearer mat_tok"


def test_a_seq_jump_yields_a_gap_then_a_snapshot() -> None:
    async def handler(ws: ServerConnection) -> None:
        await answer_subscribe(ws)
        await ws.send(quote(1))
        await ws.send(quote(4))
        await answer_snapshot(ws, 7)
        await ws.send(quote(8))
        await ws.wait_closed()

    async def body(url: str) -> None:
        async with await mc.AsyncClient(url, "t").subscribe([{"type": "quotes", "symbol": "EURUSD"}]) as stream:
            items = [await stream.next(5) for _ in range(5)]
        assert isinstance(items[0], mc.Event) and items[0].seq == 1
        assert items[1] == mc.Gap(expected=2, received=4)
        assert isinstance(items[2], mc.Event) and items[2].seq == 4
        assert isinstance(items[3], mc.Resynced) and items[3].snapshot.seq == 7
        assert isinstance(items[4], mc.Event) and items[4].seq == 8

    asyncio.run(with_server(handler, body))


def test_a_stream_gap_notice_asks_for_a_snapshot() -> None:
    async def handler(ws: ServerConnection) -> None:
        await answer_subscribe(ws)
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "stream_gap",
                                  "params": {"seq": 1, "data": {"dropped": 12, "reason": "slow_consumer"}}}))
        await answer_snapshot(ws, 1)
        await ws.wait_closed()

    async def body(url: str) -> None:
        async with await mc.AsyncClient(url, "t").subscribe([{"type": "account"}]) as stream:
            gap = await stream.next(5)
            assert isinstance(gap, mc.Event) and gap.method == "stream_gap" and gap.data.dropped == 12
            assert isinstance(await stream.next(5), mc.Resynced)

    asyncio.run(with_server(handler, body))


def test_revocation_ends_the_stream_with_its_reason() -> None:
    async def handler(ws: ServerConnection) -> None:
        await answer_subscribe(ws)
        await ws.send(quote(1))
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "token_revoked",
                                  "params": {"seq": 2, "data": {"reason": "device_revoked"}}}))
        await ws.close(4403, "device_revoked")

    async def body(url: str) -> None:
        stream = await mc.AsyncClient(url, "t").subscribe([{"type": "quotes", "symbol": "EURUSD"}])
        assert (await stream.next(5)).seq == 1
        revoked = await stream.next(5)
        assert isinstance(revoked, mc.Event) and revoked.method == "token_revoked"
        with pytest.raises(mc.Unauthorized) as raised:
            await stream.next(5)
        assert raised.value.kind == "device_revoked"
        await stream.close()

    asyncio.run(with_server(handler, body))


def test_a_close_with_4401_alone_ends_the_stream_without_reconnecting() -> None:
    connections = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        await answer_subscribe(ws)
        await ws.close(4401, "token_expired")

    async def body(url: str) -> None:
        stream = await mc.AsyncClient(url, "t").subscribe([{"type": "trades"}])
        with pytest.raises(mc.Unauthorized) as raised:
            await stream.next(5)
        assert raised.value.kind == "token_expired"

    asyncio.run(with_server(handler, body))
    assert connections == 1


def test_a_broken_connection_reconnects_resubscribes_and_resyncs() -> None:
    connections = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:
            await answer_subscribe(ws)
            await ws.send(quote(1))
            await ws.close(1011, "restart")
            return
        request = await answer_subscribe(ws)
        assert request["params"]["streams"] == [{"type": "quotes", "symbol": "EURUSD"}]
        await answer_snapshot(ws, 3)
        await ws.send(quote(4))
        await ws.wait_closed()

    async def body(url: str) -> None:
        async with await mc.AsyncClient(url, "t").subscribe([{"type": "quotes", "symbol": "EURUSD"}]) as stream:
            kinds = []
            while len(kinds) < 6:
                item = await stream.next(5)
                kinds.append(type(item).__name__)
            assert kinds == ["Event", "Disconnected", "Reconnected", "Gap", "Resynced", "Event"]

    asyncio.run(with_server(handler, body))
    assert connections == 2


def test_calls_on_the_stream_are_answered_by_id() -> None:
    async def handler(ws: ServerConnection) -> None:
        await answer_subscribe(ws)
        request = json.loads(await ws.recv())
        assert request["method"] == "unsubscribe" and request["params"] == {"subscription_ids": ["s1"]}
        await ws.send(quote(1))  # a notification may overtake the answer
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {"unsubscribed": ["s1"]}}))
        request = json.loads(await ws.recv())
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": {
            "code": -32602, "message": "Invalid params", "data": {"kind": "invalid_params", "retryable": False}}}))
        await ws.wait_closed()

    async def body(url: str) -> None:
        async with await mc.AsyncClient(url, "t").subscribe([{"type": "quotes", "symbol": "EURUSD"}]) as stream:
            done = await stream.unsubscribe(subscription_ids=["s1"])
            assert done.unsubscribed == ["s1"]
            assert (await stream.next(5)).seq == 1
            with pytest.raises(mc.InvalidParams):
                await stream.list_subscriptions()

    asyncio.run(with_server(handler, body))


def test_a_refused_upgrade_is_mapped_from_its_json_rpc_body() -> None:
    def refuse(connection: ServerConnection, request: Any) -> Response:
        body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {
            "code": -32001, "message": "Unauthorized", "data": {"kind": "token_revoked", "retryable": False}}})
        return Response(401, "Unauthorized", Headers({"content-type": "application/json"}), body.encode())

    async def never(ws: ServerConnection) -> None:
        raise AssertionError("the upgrade was refused")

    async def body(url: str) -> None:
        with pytest.raises(mc.Unauthorized) as raised:
            await mc.AsyncClient(url, "bad").subscribe([{"type": "account"}])
        assert raised.value.kind == "token_revoked"

    asyncio.run(with_server(never, body, process_request=refuse))


def test_bad_stream_specs_are_refused_before_connecting() -> None:
    async def body() -> None:
        with pytest.raises(ValueError):
            await mc.AsyncClient("http://127.0.0.1:9", "t").subscribe([{"type": "quotes"}])

    asyncio.run(body())
