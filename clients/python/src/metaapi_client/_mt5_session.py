"""The MetaTrader5-style module's connection and its plumbing: the one client, `last_error` and how gateway errors
map onto the MetaTrader5 package's RES_* codes, the argument conversions every call shares, and the calls about the
connection itself (initialize, login, shutdown, version, terminal and account info). `metaapi_client.mt5` re-exports
the public names; the other `_mt5_*` modules read the client through this module, so they see the current one."""

from __future__ import annotations

import fnmatch
import os
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


def _ms(value: Any) -> int:
    """A time argument (datetime, or seconds since the epoch) in UTC milliseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, (int, float)):
        return int(value * 1000)
    raise TypeError(f"expected a datetime or seconds since the epoch, not {type(value).__name__}")


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
    shutdown()
    token = token or os.environ.get("METAAPI_TOKEN")
    if not token:
        _fail(RES_E_INVALID_PARAMS, "no auth token: pass token=... or set METAAPI_TOKEN")
        return False
    url = url or os.environ.get("METAAPI_GATEWAY_URL") or DEFAULT_URL
    _client = Client(url, token, timeout=(timeout / 1000) if timeout else 60.0)
    account = _call("get_account_info")
    if account is None:
        shutdown_error = _last_error
        shutdown()
        _fail(*shutdown_error)
        return False
    if login is not None and int(login) != account.login:
        shutdown()
        _fail(RES_E_AUTH_FAILED, f"the token's terminal is logged in as {account.login}, not {login}")
        return False
    return True


def login(login: int, password: str | None = None, server: str | None = None, timeout: int | None = None) -> bool:
    """True when the token's terminal is logged in to `login`; the gateway never switches accounts."""
    account = _call("get_account_info")
    if account is None:
        return False
    if account.login != int(login):
        _fail(RES_E_AUTH_FAILED, f"the token's terminal is logged in as {account.login}, not {login}")
        return False
    return True


def shutdown() -> None:
    """Closes the connection to the gateway."""
    global _client
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


def _guarded(fn: Any) -> Any:
    """Turns argument errors into None + last_error, as the MetaTrader5 package reports them."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as error:
            _fail(RES_E_INVALID_PARAMS, str(error))
            return None
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
