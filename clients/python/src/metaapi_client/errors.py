"""The client's exceptions, mapped from the gateway's `error.data.kind`.

Every error the gateway sends is a JSON-RPC error object `{code, message, data: {kind, retryable, ...}}`.
`error_from_object` turns it into the most specific exception below; anything without its own class is a plain
`GatewayError` that still carries `code`, `kind` and the raw `data`.
"""

from __future__ import annotations

from typing import Any

# Kinds sent with code -32001: the token or this machine is not allowed.
UNAUTHORIZED_KINDS = frozenset({
    "token_missing", "token_unknown", "token_expired", "token_revoked", "token_replaced",
    "device_pending", "device_revoked", "account_expired", "account_disabled",
})


class MetaApiError(Exception):
    """Base of every exception this package raises."""

    retryable: bool = False


class TransportError(MetaApiError):
    """The gateway could not be reached, or the connection broke before an answer came."""

    retryable = True


class DecodeError(MetaApiError):
    """The gateway's answer did not match the protocol (a bug on one side, never retried)."""


class GatewayError(MetaApiError):
    """An error object sent by the gateway."""

    def __init__(self, code: int, message: str, data: dict[str, Any] | None = None):
        super().__init__(f"{message} ({code}{', ' + data['kind'] if data and 'kind' in data else ''})")
        self.code = code
        self.message = message
        self.data: dict[str, Any] = dict(data or {})
        self.kind: str = str(self.data.get("kind", "unknown"))
        self.retryable = bool(self.data.get("retryable", False))

    @property
    def client_id(self) -> str | None:
        """The trading call's idempotency key the outcome is filed under, when the gateway named it."""
        value = self.data.get("client_id")
        return value if isinstance(value, str) else None


class Unauthorized(GatewayError):
    """The token or this machine is not allowed; `kind` is the reason (`token_expired`, `device_revoked`, ...)."""


class TerminalOffline(GatewayError):
    """The token's terminal is not linked to the gateway right now."""


class NotExecuted(GatewayError):
    """The deadline passed before the terminal took the request; nothing was executed."""


class OutcomeUnknown(GatewayError):
    """The terminal took the request and went silent. For trading calls ask `get_trade_result(client_id=...)`."""


class TradeRejected(GatewayError):
    """The trade server or terminal rejected the trade; `retcode` is the MT code."""

    @property
    def retcode(self) -> int | None:
        value = self.data.get("retcode")
        return value if isinstance(value, int) else None

    @property
    def retcode_name(self) -> str | None:
        value = self.data.get("retcode_name")
        return value if isinstance(value, str) else None


class Unsupported(GatewayError):
    """The attached platform cannot do this (for example tick history on MT4); `platform` names it."""

    @property
    def platform(self) -> str | None:
        value = self.data.get("platform")
        return value if isinstance(value, str) else None


class RateLimited(GatewayError):
    """Too many requests; wait `retry_after_ms` before the next one."""

    @property
    def retry_after_ms(self) -> int:
        value = self.data.get("retry_after_ms")
        return value if isinstance(value, int) and value >= 0 else 1000


class InvalidParams(GatewayError):
    """The params do not match the method; `field` names the offending one."""

    @property
    def field(self) -> str | None:
        value = self.data.get("field")
        return value if isinstance(value, str) else None


class NotFound(GatewayError):
    """The symbol, ticket or `client_id` does not exist."""


class ClientIdConflict(GatewayError):
    """A `client_id` was reused with different params."""


_BY_KIND: dict[str, type[GatewayError]] = {
    "terminal_offline": TerminalOffline,
    "not_executed": NotExecuted,
    "outcome_unknown": OutcomeUnknown,
    "trade_rejected": TradeRejected,
    "unsupported": Unsupported,
    "rate_limited": RateLimited,
    "invalid_params": InvalidParams,
    "not_found": NotFound,
    "client_id_conflict": ClientIdConflict,
}


def error_from_object(error: Any) -> GatewayError:
    """Maps a JSON-RPC error object (a dict) to the most specific exception."""
    if not isinstance(error, dict) or not isinstance(error.get("code"), int):
        raise DecodeError(f"not a JSON-RPC error object: {error!r}")
    data = error.get("data")
    data = data if isinstance(data, dict) else None
    kind = data.get("kind") if data else None
    message = str(error.get("message", ""))
    if kind in UNAUTHORIZED_KINDS or (kind is None and error["code"] == -32001):
        return Unauthorized(error["code"], message, data)
    return _BY_KIND.get(str(kind), GatewayError)(error["code"], message, data)
