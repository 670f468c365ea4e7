"""Subscriptions over `/ws` as an async iterator, with reconnect, resubscribe and gap detection by `seq`.

One background task owns the WebSocket. It checks that `seq` counts up by one; when it jumps, or the gateway sends
`stream_gap`, or the connection had to be re-established, the iterator yields `Gap` and then `Resynced` with a fresh
`get_snapshot`, so a program can rebuild its state instead of trusting a hole. Access loss (close code 4401 or
4403, or a `token_revoked` notice) ends the iteration with `Unauthorized` naming the reason.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from . import models as m
from ._calls import decode_result, prepare_params
from ._methods import METHODS, NOTIFICATIONS, MethodSpec, StreamMethods
from .errors import DecodeError, MetaApiError, TransportError, Unauthorized, error_from_object

# Frames up to this size are accepted; snapshots of big accounts exceed websockets' 1 MiB default.
MAX_FRAME = 16 * 1024 * 1024


@dataclass(frozen=True)
class Event:
    """A notification, in order. `notice` is the typed params (for example `QuoteNotice`)."""

    method: str
    notice: Any

    @property
    def seq(self) -> int:
        return int(self.notice.seq)

    @property
    def data(self) -> Any:
        return self.notice.data

    @property
    def subscription_id(self) -> str | None:
        return self.notice.subscription_id


@dataclass(frozen=True)
class Gap:
    """Notifications were lost; a `Resynced` follows. On a new connection `expected` is 1 and `received` None."""

    expected: int
    received: int | None


@dataclass(frozen=True)
class Resynced:
    """The account, positions and orders as of `snapshot.seq`, after a gap."""

    snapshot: m.Snapshot


@dataclass(frozen=True)
class Disconnected:
    """The connection broke; the stream reconnects and resubscribes by itself."""

    reason: str


@dataclass(frozen=True)
class Reconnected:
    """Connected again with the same streams (subscription ids may differ)."""

    subscriptions: list[m.Subscription]


StreamItem = Event | Gap | Resynced | Disconnected | Reconnected

_END = object()


def ws_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://"):] + "/ws"
    return "ws://" + url.removeprefix("http://") + "/ws"


def _revoked(kind: str, message: str) -> Unauthorized:
    return Unauthorized(-32001, message, {"kind": kind, "retryable": False})


class _Final(Exception):
    """Ends the pump for good, with the error the iterator raises (None: a plain end)."""

    def __init__(self, error: MetaApiError | None):
        super().__init__(str(error))
        self.error = error


class EventStream(StreamMethods):
    """Events of one WebSocket connection. Iterate with `async for item in stream`; close with `await
    stream.close()` or `async with`."""

    def __init__(self, url: str, token: str, streams: list[Any], reconnect: bool):
        self._url = ws_url(url)
        self._token = token
        self._params = prepare_params(METHODS["subscribe"], {"streams": streams})
        self._reconnect = reconnect
        self._ids = itertools.count(1)
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1024)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._snapshot_ids: set[int] = set()
        self._expected_seq = 1
        self._socket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._end_error: MetaApiError | None = None
        self._ended = False
        self.subscriptions: list[m.Subscription] = []

    @classmethod
    async def open(cls, url: str, token: str, streams: list[Any], *, reconnect: bool = True) -> EventStream:
        stream = cls(url, token, streams, reconnect)
        socket, early = await stream._connect()
        stream._task = asyncio.create_task(stream._run(socket, early))
        return stream

    def __repr__(self) -> str:
        return f"EventStream(url={self._url!r}, subscriptions={len(self.subscriptions)})"

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> StreamItem:
        if self._ended:
            raise self._end_error if self._end_error else StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            self._ended = True
            raise self._end_error if self._end_error else StopAsyncIteration
        return item

    async def next(self, timeout: float) -> StreamItem:
        """The next item, or `TimeoutError` after `timeout` seconds."""
        return await asyncio.wait_for(self.__anext__(), timeout)

    async def __aenter__(self) -> EventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the WebSocket and ends the iteration."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self._socket is not None:
            await self._socket.close()
        self._fail_pending(TransportError("the stream was closed"))
        # The reader may be waiting on a full queue's consumer side; make room so it sees the end.
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)

    async def _invoke(self, spec: MethodSpec, fields: Any) -> Any:
        """Sends a request on this connection and waits for its answer (no retries: ids are per connection)."""
        socket = self._socket
        if socket is None or self._ended:
            raise TransportError("the stream is not connected")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._send(socket, request_id, spec.name, prepare_params(spec, fields))
            return decode_result(spec, await future)
        finally:
            self._pending.pop(request_id, None)

    async def _send(self, socket: ClientConnection, request_id: int, method: str, params: dict[str, Any]) -> None:
        try:
            await socket.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}))
        except ConnectionClosed as error:
            raise TransportError(f"closed: {error}") from error

    async def _connect(self) -> tuple[ClientConnection, list[dict[str, Any]]]:
        """Connects and subscribes; returns the socket and notifications that overtook the answer."""
        try:
            socket = await connect(self._url, additional_headers={"authorization": f"Bearer {self._token}"},
                                   proxy=None, compression=None, max_size=MAX_FRAME, open_timeout=10)
        except InvalidStatus as error:
            # A refused upgrade carries the JSON-RPC error body (401 token_expired, 403 device_revoked, ...).
            try:
                answer = json.loads(error.response.body or b"")
                raise error_from_object(answer["error"]) from None
            except (ValueError, KeyError, TypeError, DecodeError):
                raise TransportError(f"upgrade refused: HTTP {error.response.status_code}") from None
        except (OSError, WebSocketException, asyncio.TimeoutError) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        subscribe_id = next(self._ids)
        early: list[dict[str, Any]] = []
        try:
            await self._send(socket, subscribe_id, "subscribe", self._params)
            while True:
                frame = await socket.recv()
                value = json.loads(frame)
                if not isinstance(value, dict):
                    raise DecodeError("the gateway sent a frame that is not a JSON object")
                if "method" in value:
                    early.append(value)
                    continue
                if value.get("id") != subscribe_id:
                    continue
                if "error" in value:
                    raise error_from_object(value["error"])
                result = decode_result(METHODS["subscribe"], value.get("result"))
                self.subscriptions = list(result.subscriptions)
                self._expected_seq = result.seq + 1
                self._socket = socket
                return socket, early
        except ConnectionClosed as error:
            await socket.close()
            raise self._closed_error(error) or TransportError(f"closed while subscribing: {error}") from None
        except BaseException:
            await socket.close()
            raise

    @staticmethod
    def _closed_error(error: ConnectionClosed) -> MetaApiError | None:
        frame = error.rcvd
        if frame is not None and frame.code in (4401, 4403):
            default = "token_revoked" if frame.code == 4401 else "device_revoked"
            return _revoked(frame.reason or default, f"access lost (close code {frame.code})")
        return None

    async def _put(self, item: Any) -> None:
        await self._queue.put(item)

    def _fail_pending(self, error: MetaApiError) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)

    async def _run(self, socket: ClientConnection, early: list[dict[str, Any]]) -> None:
        backoff = 0.1
        try:
            while True:
                reason = await self._pump(socket, early)
                self._socket = None
                self._fail_pending(TransportError(reason))
                if not self._reconnect:
                    raise _Final(TransportError(reason))
                await self._put(Disconnected(reason))
                while True:
                    await asyncio.sleep(backoff + random.random() * 0.1)
                    backoff = min(backoff * 2, 5.0)
                    try:
                        socket, early = await self._connect()
                    except Unauthorized as error:
                        raise _Final(error) from None
                    except MetaApiError as error:
                        await self._put(Disconnected(str(error)))
                        continue
                    backoff = 0.1
                    await self._put(Reconnected(list(self.subscriptions)))
                    # Whatever happened while disconnected is lost: say so, then resynchronize.
                    await self._put(Gap(expected=1, received=None))
                    await self._request_snapshot(socket)
                    break
        except _Final as final:
            self._end_error = final.error
            self._fail_pending(final.error or TransportError("the stream ended"))
            if self._socket is not None:
                await self._socket.close()
            await self._put(_END)

    async def _request_snapshot(self, socket: ClientConnection) -> None:
        request_id = next(self._ids)
        self._snapshot_ids.add(request_id)
        try:
            await self._send(socket, request_id, "get_snapshot", {})
        except TransportError:
            pass  # the next read notices the broken connection

    async def _pump(self, socket: ClientConnection, early: list[dict[str, Any]]) -> str:
        """Reads until the connection ends; returns why it broke, or raises _Final."""
        for value in early:
            await self._handle(socket, value)
        try:
            async for frame in socket:
                try:
                    value = json.loads(frame)
                except ValueError:
                    await socket.close()
                    return "the gateway sent a frame that is not JSON"
                if isinstance(value, dict):
                    await self._handle(socket, value)
        except ConnectionClosed as error:
            final = self._closed_error(error)
            if final is not None:
                raise _Final(final) from None
            return f"closed by the gateway: {error}"
        return "connection closed"

    async def _handle(self, socket: ClientConnection, value: dict[str, Any]) -> None:
        name = value.get("method")
        if not isinstance(name, str):
            await self._answer(value)
            return
        params = value.get("params")
        seq = params.get("seq") if isinstance(params, dict) else None
        if not isinstance(seq, int):
            return  # not a notification this protocol version can place in order
        resync = name == "stream_gap"
        if seq > self._expected_seq:
            await self._put(Gap(expected=self._expected_seq, received=seq))
            resync = True
        self._expected_seq = max(self._expected_seq, seq + 1)
        model = NOTIFICATIONS.get(name)
        if model is not None:
            try:
                notice = model.model_validate(params)
            except ValueError:
                notice = None  # a newer gateway's shape; its seq still counted above
            if notice is not None:
                await self._put(Event(name, notice))
                if name == "token_revoked":
                    raise _Final(_revoked(str(notice.data.reason), "access lost: the token was revoked"))
        if resync:
            await self._request_snapshot(socket)

    async def _answer(self, value: dict[str, Any]) -> None:
        request_id = value.get("id")
        if isinstance(request_id, int) and request_id in self._snapshot_ids:
            self._snapshot_ids.discard(request_id)
            if "result" in value:
                try:
                    snapshot = m.Snapshot.model_validate(value["result"])
                except ValueError:
                    return
                self._expected_seq = max(self._expected_seq, snapshot.seq + 1)
                await self._put(Resynced(snapshot))
            return
        future = self._pending.get(request_id) if isinstance(request_id, int) else None
        if future is None or future.done():
            return
        if "error" in value:
            try:
                future.set_exception(error_from_object(value["error"]))
            except DecodeError as error:
                future.set_exception(error)
        else:
            future.set_result(value.get("result"))
