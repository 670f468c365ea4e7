"""The MetaTrader5-style module's connection and its plumbing: the one client, `last_error` and how gateway errors
map onto the MetaTrader5 package's RES_* codes, the argument conversions every call shares, and the calls about the
connection itself (initialize, login, shutdown, version, terminal and account info). `metaapi_client.mt5` re-exports
the public names; the other `_mt5_*` modules read the client through this module, so they see the current one."""

from __future__ import annotations

import fnmatch
import inspect
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ._mt5_constants import (
    RES_E_AUTH_FAILED, RES_E_FAIL, RES_E_INTERNAL_FAIL_CONNECT, RES_E_INTERNAL_FAIL_TIMEOUT, RES_E_INVALID_PARAMS,
    RES_E_NOT_FOUND, RES_E_UNSUPPORTED, RES_S_OK,
)
from ._mt5_records import AccountInfo, TerminalInfo, _MARGIN_MODES, _TRADE_MODES
from .client import Client
from .errors import InvalidParams, MetaApiError, NotExecuted, NotFound, TransportError, Unauthorized, Unsupported

DEFAULT_URL = "http://127.0.0.1:6000"

_client: Client | None = None
_last_error: tuple[int, str] = (RES_S_OK, "Success")
# The trade server's offset from UTC in seconds and when it was read (time.monotonic()); re-read after a minute so
# a daylight-saving change on the server shows up without a new initialize().
_server_offset: tuple[int, float] | None = None
SERVER_OFFSET_MAX_AGE_S = 60.0
# What the terminal supports (get_terminal_info's capabilities), read by initialize().
_capabilities: frozenset[str] = frozenset()
_platform: str = "mt5"


def _ok() -> None:
    global _last_error
    _last_error = (RES_S_OK, "Success")


def _fail(code: int, message: str) -> None:
    global _last_error
    _last_error = (code, message)


def _error_code(error: Exception) -> int:
    if isinstance(error, Unauthorized):
        return RES_E_AUTH_FAILED
    if isinstance(error, (NotFound,)):
        return RES_E_NOT_FOUND
    if isinstance(error, (InvalidParams, ValueError, TypeError)):
        return RES_E_INVALID_PARAMS
    if isinstance(error, Unsupported):
        return RES_E_UNSUPPORTED
    if isinstance(error, NotExecuted):
        return RES_E_INTERNAL_FAIL_TIMEOUT
    if isinstance(error, TransportError):
        return RES_E_INTERNAL_FAIL_CONNECT
    return RES_E_FAIL


def _call(method: str, params: dict[str, Any] | None = None) -> Any:
    """Calls the gateway; returns None and records last_error on any failure, as the MetaTrader5 package does."""
    if _client is None:
        _fail(RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")
        return None
    try:
        result = _client.call(method, {k: v for k, v in (params or {}).items() if v is not None})
    except (MetaApiError, ValueError, TypeError) as error:
        _fail(_error_code(error), str(error))
        return None
    _ok()
    return result


def _ticket(value: str | None) -> int:
    """MT5 scripts compare tickets as ints; the gateway sends strings."""
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return 0


def _offset_s() -> int:
    """Seconds to add to UTC for the trade server's clock, which the MetaTrader5 package uses for its times."""
    global _server_offset
    now = time.monotonic()
    if _server_offset is not None and now - _server_offset[1] < SERVER_OFFSET_MAX_AGE_S:
        return _server_offset[0]
    if _client is None:
        return 0 if _server_offset is None else _server_offset[0]
    try:
        offset = int(_client.call("get_server_time", {}).broker_utc_offset_s)
    except (MetaApiError, ValueError, TypeError):
        # A failed read must not change last_error(); the call that needs the time reports its own failure.
        return 0 if _server_offset is None else _server_offset[0]
    _server_offset = (offset, now)
    return offset


def _server_s(utc_ms: int | None) -> int:
    """A gateway time (UTC milliseconds) as the package gives it: seconds on the trade server's clock."""
    return 0 if not utc_ms else (utc_ms + _offset_s() * 1000) // 1000


def _server_msc(utc_ms: int | None) -> int:
    """A gateway time (UTC milliseconds) as the package's *_msc fields give it: trade server milliseconds."""
    return 0 if not utc_ms else utc_ms + _offset_s() * 1000


def _ms(value: Any) -> int:
    """A time argument in the package's terms (a datetime, or seconds since the epoch, both on the trade server's
    clock; a naive datetime is taken as such) as the gateway's UTC milliseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        server_ms = int(value.timestamp() * 1000)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        server_ms = int(value * 1000)
    else:
        raise TypeError(f"expected a datetime or seconds since the epoch, not {type(value).__name__}")
    return server_ms - _offset_s() * 1000


def _matches(symbol: str, group: str | None) -> bool:
    """MT group patterns: comma-separated, `*` wildcards, `!` excludes."""
    if not group:
        return True
    patterns = [p.strip() for p in group.split(",") if p.strip()]
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [p[1:] for p in patterns if p.startswith("!")]
    if any(fnmatch.fnmatchcase(symbol, p) for p in exclude):
        return False
    return not include or any(fnmatch.fnmatchcase(symbol, p) for p in include)


def initialize(path: str | None = None, *, login: int | None = None, password: str | None = None,
               server: str | None = None, timeout: int | None = None, portable: bool = False,
               url: str | None = None, token: str | None = None) -> bool:
    """Connects to the gateway (url, token; or METAAPI_GATEWAY_URL, METAAPI_TOKEN) and checks the terminal.

    `path`, `password`, `server` and `portable` are accepted for compatibility and ignored; `login`, when given,
    must be the terminal's account. `timeout` is in milliseconds, as in the MetaTrader5 package.
    """
    global _client
    _shutdown()
    token = token or os.environ.get("METAAPI_TOKEN")
    if not token:
        _fail(RES_E_INVALID_PARAMS, "no auth token: pass token=... or set METAAPI_TOKEN")
        return False
    url = url or os.environ.get("METAAPI_GATEWAY_URL") or DEFAULT_URL
    _client = Client(url, token, timeout=(timeout / 1000) if timeout else 60.0)
    account = _call("get_account_info")
    if account is None:
        shutdown_error = _last_error
        _shutdown()
        _fail(*shutdown_error)
        return False
    if login is not None and int(login) != int(account.login):
        _shutdown()
        _fail(RES_E_AUTH_FAILED, f"the token's terminal is logged in as {account.login}, not {login}")
        return False
    info = _call("get_terminal_info")
    if info is None:
        shutdown_error = _last_error
        _shutdown()
        _fail(*shutdown_error)
        return False
    server_time = _call("get_server_time")
    if server_time is None:
        shutdown_error = _last_error
        _shutdown()
        _fail(*shutdown_error)
        return False
    global _capabilities, _platform, _server_offset
    _capabilities = frozenset(str(c) for c in info.capabilities)
    _platform = str(info.identity.platform)
    _server_offset = (int(server_time.broker_utc_offset_s), time.monotonic())
    return True


def login(login: int, password: str | None = None, server: str | None = None, timeout: int | None = None) -> bool:
    """True when the token's terminal is logged in to `login`; the gateway never switches accounts."""
    account = _call("get_account_info")
    if account is None:
        return False
    if int(account.login) != int(login):
        _fail(RES_E_AUTH_FAILED, f"the token's terminal is logged in as {account.login}, not {login}")
        return False
    return True


def shutdown() -> None:
    """Closes the connection to the gateway."""
    _shutdown()


def _shutdown() -> None:
    global _client, _server_offset, _capabilities
    _server_offset = None
    _capabilities = frozenset()
    if _client is not None:
        _client.close()
        _client = None


def last_error() -> tuple[int, str]:
    """The result of the last call: (code, description), with the MetaTrader5 package's RES_* codes."""
    return _last_error


def version() -> tuple[int, int, str] | None:
    """(terminal version, build, release date); the gateway does not know the release date."""
    info = _call("get_terminal_info")
    if info is None:
        return None
    return (500 if info.identity.platform == "mt5" else 400, info.identity.build, "")


def terminal_info() -> TerminalInfo | None:
    info = _call("get_terminal_info")
    if info is None:
        return None
    return TerminalInfo(False, False, info.connected, info.dlls_allowed, info.trade_allowed, False, False, False,
                        False, 0, info.identity.build, info.max_bars, 0, info.ping_last_us, 0.0, 0.0,
                        info.identity.company, info.name, info.language, "", "", "")


def account_info() -> AccountInfo | None:
    a = _call("get_account_info")
    if a is None:
        return None
    return AccountInfo(
        a.login, _TRADE_MODES.get(str(a.trade_mode), 0), a.leverage, a.limit_orders,
        0 if str(a.stop_out_mode) == "percent" else 1, a.trade_allowed, a.expert_allowed,
        _MARGIN_MODES.get(str(a.margin_mode), 0), a.currency_digits, a.fifo_close, a.balance, a.credit, a.profit,
        a.equity, a.margin, a.free_margin, a.margin_level or 0.0, a.margin_call_level, a.stop_out_level,
        getattr(a, "margin_initial", 0.0) or 0.0, getattr(a, "margin_maintenance", 0.0) or 0.0, 0.0, 0.0, 0.0,
        a.name, a.server, a.currency, a.company)


class _Function:
    """A module-level call that behaves like the package's C functions.

    The package's functions are builtins, which do not bind: a framework that stores `mt5.shutdown` as a class
    attribute and calls `self.shutdown()` passes no `self`. Plain Python functions would bind, so every exported
    call is an instance of this class (no `__get__`), carrying the wrapped function's name, docs and signature.
    With `guarded`, argument errors become None and `last_error()` (RES_E_INVALID_PARAMS), as the package reports
    them, instead of exceptions.
    """

    def __init__(self, fn: Callable[..., Any], guarded: bool = False) -> None:
        self.__wrapped__ = fn
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.__module__ = "metaapi_client.mt5"
        self.__signature__ = inspect.signature(fn)
        self._guarded = guarded

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._guarded:
            return self.__wrapped__(*args, **kwargs)
        try:
            return self.__wrapped__(*args, **kwargs)
        except (ValueError, TypeError) as error:
            _fail(RES_E_INVALID_PARAMS, str(error))
            return None

    def __repr__(self) -> str:
        return f"<built-in function {self.__name__}>"


def _guarded(fn: Callable[..., Any]) -> _Function:
    """Marks a call whose argument errors become None + last_error, as the MetaTrader5 package reports them."""
    return _Function(fn, guarded=True)


def _exported(fn: Callable[..., Any]) -> _Function:
    """Wraps a call for export without changing its errors (it reports its own through last_error)."""
    return fn if isinstance(fn, _Function) else _Function(fn)
