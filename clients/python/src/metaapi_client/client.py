"""The HTTP side of the client: typed calls over `POST /rpc` and the retry policy that keeps trading idempotent.

`Client` blocks (httpx.Client) and is what the MetaTrader5 compatibility module uses; `AsyncClient` is the asyncio
twin (httpx.AsyncClient) and also opens WebSocket subscriptions. Both get one typed method per protocol method from
the generated `_methods` module.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._calls import decode_result, new_client_id, prepare_params  # noqa: F401 (new_client_id is re-exported)
from ._methods import METHODS, AsyncMethods, MethodSpec, SyncMethods
from .errors import GatewayError, MetaApiError, OutcomeUnknown, RateLimited, TransportError, \
    error_from_object

if TYPE_CHECKING:
    from .stream import EventStream


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call is retried."""

    attempts: int = 3
    """Attempts in all, including the first (1 disables retries)."""
    backoff: float = 0.1
    """Seconds to wait before the second attempt; doubles for each further one."""


def retry_wait(spec: MethodSpec, error: MetaApiError, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the call must not be repeated."""
    # A trading call always carries its client_id, so even an unknown outcome or a broken connection is safe to
    # send again: the gateway executes an id at most once and answers a repeat with the first outcome.
    safe = error.retryable or (spec.trading and isinstance(error, (OutcomeUnknown, TransportError)))
    if attempt >= policy.attempts or not safe:
        return None
    if isinstance(error, RateLimited):
        return error.retry_after_ms / 1000
    return policy.backoff * 2 ** (attempt - 1)


def finish_error(error: MetaApiError, client_id: str | None) -> MetaApiError:
    """Names the call's client_id on an unknown outcome, so the caller can ask `get_trade_result` with it."""
    if isinstance(error, GatewayError) and client_id and not error.client_id:
        error.data["client_id"] = client_id
    return error


def parse_answer(status: int, body: bytes) -> Any:
    """The result of a single JSON-RPC answer, or the mapped error. Refusals (401, 403, 429...) carry a body too."""
    try:
        answer = json.loads(body)
    except ValueError:
        raise TransportError(f"HTTP {status} without a JSON-RPC body") from None
    if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
        raise TransportError(f"HTTP {status} without a JSON-RPC answer")
    if "error" in answer:
        raise error_from_object(answer["error"])
    return answer["result"]


def normalize_url(url: str) -> str:
    return url.rstrip("/")


class _Base:
    def __init__(self, url: str, token: str, retry: RetryPolicy | None):
        self.url = normalize_url(url)
        self._token = token
        self.retry = retry or RetryPolicy()
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        # The token is a credential: it never appears in a repr or a log line.
        return f"{type(self).__name__}(url={self.url!r})"

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._token}", "content-type": "application/json"}

    def _request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}

    @staticmethod
    def _spec(method: str) -> MethodSpec:
        spec = METHODS.get(method)
        if spec is None:
            raise ValueError(f"unknown method {method!r}")
        if spec.route == "stream":
            raise ValueError(f"{method} works only on a WebSocket: use AsyncClient.subscribe")
        return spec


class Client(_Base, SyncMethods):
    """A blocking connection to one terminal through the local gateway, chosen by its auth token.

    >>> client = Client("http://127.0.0.1:6000", "mat_your_token")  # doctest: +SKIP
    >>> client.get_account_info().equity  # doctest: +SKIP
    """

    def __init__(self, url: str, token: str, *, retry: RetryPolicy | None = None, timeout: float = 30.0,
                 http: httpx.Client | None = None):
        super().__init__(url, token, retry)
        # trust_env=False: a proxy from the environment must never see a loopback call or its token.
        self._http = http or httpx.Client(timeout=timeout, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, params: Any = None) -> Any:
        """Calls a method by name with retries; params is a dict or the params model; returns the result model."""
        return self._invoke(self._spec(method), params)

    def call_raw(self, method: str, params: Any) -> Any:
        """One attempt, no validation either way: the untyped result, or the mapped exception."""
        try:
            response = self._http.post(f"{self.url}/rpc", json=self._request(method, params), headers=self._headers())
        except httpx.HTTPError as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        return parse_answer(response.status_code, response.content)

    def _invoke(self, spec: MethodSpec, fields: Any) -> Any:
        params = prepare_params(spec, fields)
        attempt = 1
        while True:
            try:
                return decode_result(spec, self.call_raw(spec.name, params))
            except MetaApiError as error:
                wait = retry_wait(spec, error, attempt, self.retry)
                if wait is None:
                    raise finish_error(error, params.get("client_id")) from None
            time.sleep(wait)
            attempt += 1


class AsyncClient(_Base, AsyncMethods):
    """The asyncio twin of `Client`, which can also subscribe to event streams over `/ws`."""

    def __init__(self, url: str, token: str, *, retry: RetryPolicy | None = None, timeout: float = 30.0,
                 http: httpx.AsyncClient | None = None):
        super().__init__(url, token, retry)
        self._http = http or httpx.AsyncClient(timeout=timeout, trust_env=False)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def call(self, method: str, params: Any = None) -> Any:
        """Calls a method by name with retries; params is a dict or the params model; returns the result model."""
        return await self._invoke(self._spec(method), params)

    async def call_raw(self, method: str, params: Any) -> Any:
        """One attempt, no validation either way: the untyped result, or the mapped exception."""
        try:
            response = await self._http.post(f"{self.url}/rpc", json=self._request(method, params),
                                             headers=self._headers())
        except httpx.HTTPError as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        return parse_answer(response.status_code, response.content)

    async def _invoke(self, spec: MethodSpec, fields: Any) -> Any:
        params = prepare_params(spec, fields)
        attempt = 1
        while True:
            try:
                return decode_result(spec, await self.call_raw(spec.name, params))
            except MetaApiError as error:
                wait = retry_wait(spec, error, attempt, self.retry)
                if wait is None:
                    raise finish_error(error, params.get("client_id")) from None
            await asyncio.sleep(wait)
            attempt += 1

    async def subscribe(self, streams: Iterable[Any], *, reconnect: bool = True) -> EventStream:
        """Opens `/ws`, subscribes to `streams` (dicts like `{"type": "quotes", "symbol": "EURUSD"}` or
        StreamSpec models) and returns an async iterator of events, gaps and resyncs."""
        from .stream import EventStream

        return await EventStream.open(self.url, self._token, list(streams), reconnect=reconnect)
