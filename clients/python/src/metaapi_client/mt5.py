"""The familiar MetaTrader5 package calls over the local gateway, so existing MT5 Python scripts run on any OS.

Replace `import MetaTrader5 as mt5` with `from metaapi_client import mt5` and give `initialize` the gateway's
address and the terminal's auth token (or set METAAPI_GATEWAY_URL and METAAPI_TOKEN):

    from metaapi_client import mt5
    mt5.initialize(url="http://127.0.0.1:6000", token="mat_...")
    print(mt5.account_info().equity)
    rates = mt5.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_H1, 0, 100)

Like the original, calls return None (or False) on failure and `last_error()` tells why. Differences worth knowing:
`login` and `password` are never sent anywhere (the token is the credential); times are UTC seconds; tickets are
ints when the gateway's ticket strings are numeric; `symbol_info` fills the fields the gateway carries and leaves
the rest at 0; `copy_rates_*` and `copy_ticks_*` need numpy (`pip install metaapi-gateway-client[mt5]`).
"""

from __future__ import annotations

import fnmatch
import os
from datetime import datetime, timezone
from typing import Any

from . import models as m
from ._mt5_constants import *  # noqa: F403 (the MetaTrader5 package exposes its constants at the top level)
from ._mt5_constants import (
    RES_E_AUTH_FAILED, RES_E_FAIL, RES_E_INTERNAL_FAIL_CONNECT, RES_E_INTERNAL_FAIL_TIMEOUT, RES_E_INVALID_PARAMS,
    RES_E_NOT_FOUND, RES_E_UNSUPPORTED, RES_S_OK, TRADE_ACTION_CLOSE_BY, TRADE_ACTION_DEAL, TRADE_ACTION_MODIFY,
    TRADE_ACTION_PENDING, TRADE_ACTION_REMOVE, TRADE_ACTION_SLTP,
)
from ._mt5_records import (  # noqa: F401 (the records are part of the module's interface)
    AccountInfo, TerminalInfo, SymbolInfo, Tick, TradePosition, TradeOrder,
    TradeDeal, OrderSendResult, OrderCheckResult, TradeRequest, BookInfo, _TIMEFRAMES,
    _TIMEFRAME_SECONDS, _ORDER_TYPES, _FILLINGS, _TIMES_IN_FORCE, _ORDER_STATES, _REASONS,
    _DEAL_TYPES, _DEAL_ENTRIES, _TRADE_MODES, _MARGIN_MODES, _SYMBOL_TRADE_MODES, _EXECUTION_MODES,
    _CALC_MODES, _WEEKDAYS, _BOOK_TYPES, _TICK_KINDS,
)
from .client import Client
from .errors import InvalidParams, MetaApiError, NotExecuted, NotFound, TradeRejected, \
    TransportError, Unauthorized, Unsupported

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


def symbols_total() -> int:
    found = _call("get_symbols", {})
    return 0 if found is None else len(found.symbols)


def symbols_get(group: str | None = None) -> tuple[SymbolInfo, ...] | None:
    """Every symbol (matching `group`), with what the symbol list carries; symbol_info gives the full spec."""
    found = _call("get_symbols", {"group": group})
    if found is None:
        return None
    return tuple(_symbol_info(None, s, None) for s in found.symbols)


def symbol_info(symbol: str) -> SymbolInfo | None:
    spec = _call("get_symbol_spec", {"symbol": symbol})
    if spec is None:
        return None
    quote = _call("get_quote", {"symbol": symbol})
    summary = _call("get_symbols", {"group": symbol})
    listed = next((s for s in summary.symbols if s.name == symbol), None) if summary is not None else None
    _ok()
    return _symbol_info(spec, listed, quote)


def _symbol_info(spec: m.SymbolSpec | None, listed: m.SymbolSummary | None, quote: m.Quote | None) -> SymbolInfo:
    def bits(values: list[Any], table: dict[str, int]) -> int:
        return sum(table.get(str(v), 0) for v in values)

    name = spec.symbol if spec is not None else listed.name if listed is not None else ""
    selected = bool(listed.selected) if listed is not None else False
    fields: dict[str, Any] = dict.fromkeys(SymbolInfo._fields, 0)
    fields.update(custom=False, select=selected, visible=selected, name=name, spread_float=False,
                  description=listed.description if listed else "", path=listed.path if listed else "",
                  digits=listed.digits if listed else 0, currency_base="", currency_profit="", currency_margin="")
    if spec is not None:
        fields.update(
            digits=spec.digits, spread=spec.spread, spread_float=spec.spread_float,
            trade_calc_mode=_CALC_MODES.get(str(spec.calc_mode), 0),
            trade_mode=_SYMBOL_TRADE_MODES.index(str(spec.trade_mode)),
            trade_exemode=_EXECUTION_MODES.index(str(spec.execution_mode)),
            trade_stops_level=spec.stops_level, trade_freeze_level=spec.freeze_level,
            expiration_mode=bits(spec.expiration_modes, {"gtc": 1, "day": 2, "specified": 4, "specified_day": 8}),
            filling_mode=bits(spec.filling_modes, {"fok": 1, "ioc": 2}),
            order_mode=bits(spec.order_types, {t: 1 << i for i, t in enumerate(
                ["buy", "sell", "buy_limit", "sell_limit", "buy_stop", "sell_stop", "buy_stop_limit",
                 "sell_stop_limit"])}),
            swap_rollover3days=_WEEKDAYS.index(str(spec.swap_rollover3days)), point=spec.point,
            trade_tick_value=spec.tick_value, trade_tick_size=spec.tick_size, trade_contract_size=spec.contract_size,
            volume_min=spec.volume_min, volume_max=spec.volume_max, volume_step=spec.volume_step,
            volume_limit=spec.volume_limit, swap_long=spec.swap_long, swap_short=spec.swap_short,
            margin_initial=spec.margin_initial, margin_maintenance=spec.margin_maintenance,
            margin_hedged=spec.margin_hedged, currency_base=spec.base_currency,
            currency_profit=spec.profit_currency, currency_margin=spec.margin_currency,
            description=spec.description)
    if quote is not None:
        fields.update(time=quote.time // 1000, bid=quote.bid, ask=quote.ask, last=quote.last or 0.0)
    return SymbolInfo(**fields)


def symbol_info_tick(symbol: str) -> Tick | None:
    quote = _call("get_quote", {"symbol": symbol})
    if quote is None:
        return None
    return Tick(quote.time // 1000, quote.bid, quote.ask, quote.last or 0.0, 0, quote.time, 6, 0.0)


def symbol_select(symbol: str, enable: bool = True) -> bool:
    done = _call("select_symbol", {"symbol": symbol, "enable": enable})
    return done is not None and done.selected == enable


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("copy_rates_* and copy_ticks_* return numpy arrays: "
                          "pip install 'metaapi-gateway-client[mt5]'") from None
    return numpy


RATES_DTYPE = [("time", "<i8"), ("open", "<f8"), ("high", "<f8"), ("low", "<f8"), ("close", "<f8"),
               ("tick_volume", "<u8"), ("spread", "<i4"), ("real_volume", "<u8")]
TICKS_DTYPE = [("time", "<i8"), ("bid", "<f8"), ("ask", "<f8"), ("last", "<f8"), ("volume", "<u8"),
               ("time_msc", "<i8"), ("flags", "<u4"), ("volume_real", "<f8")]


def _rates(candles: list[m.Candle]) -> Any:
    np = _numpy()
    rows = [(c.time // 1000, c.open, c.high, c.low, c.close, c.tick_volume, c.spread, c.real_volume)
            for c in candles]
    return np.array(rows, dtype=RATES_DTYPE)


def _timeframe(timeframe: int) -> str:
    if timeframe not in _TIMEFRAMES:
        raise ValueError(f"unknown timeframe {timeframe}")
    return _TIMEFRAMES[timeframe]


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


@_guarded
def copy_rates_from(symbol: str, timeframe: int, date_from: Any, count: int) -> Any:
    """`count` bars that opened at or before `date_from`, oldest first."""
    frame = _timeframe(timeframe)
    to = _ms(date_from)
    # The gateway takes a time range; widen it until it holds `count` bars (markets close on weekends).
    span = max(count, 1) * _TIMEFRAME_SECONDS[timeframe] * 1000
    for _ in range(12):
        found = _call("get_candles", {"symbol": symbol, "timeframe": frame, "from": max(to - span, 0), "to": to})
        if found is None:
            return None
        if len(found.candles) >= count or to - span <= 0:
            return _rates(found.candles[-count:] if count else [])
        span *= 2
    return _rates(found.candles[-count:])


@_guarded
def copy_rates_from_pos(symbol: str, timeframe: int, start_pos: int, count: int) -> Any:
    """`count` bars ending `start_pos` bars before the current one (0 is the current bar), oldest first."""
    if start_pos < 0 or count < 1:
        raise ValueError("start_pos must be >= 0 and count >= 1")
    found = _call("get_candles", {"symbol": symbol, "timeframe": _timeframe(timeframe), "count": start_pos + count})
    if found is None:
        return None
    candles = found.candles[: len(found.candles) - start_pos] if start_pos else found.candles
    return _rates(candles[-count:])


@_guarded
def copy_rates_range(symbol: str, timeframe: int, date_from: Any, date_to: Any) -> Any:
    """Bars that opened between `date_from` and `date_to`, oldest first."""
    found = _call("get_candles", {"symbol": symbol, "timeframe": _timeframe(timeframe), "from": _ms(date_from),
                                  "to": _ms(date_to)})
    return None if found is None else _rates(found.candles)


def _ticks(ticks: list[m.Tick]) -> Any:
    np = _numpy()
    rows = [(t.time // 1000, t.bid, t.ask, t.last, int(t.volume), t.time, t.flags, t.volume) for t in ticks]
    return np.array(rows, dtype=TICKS_DTYPE)


@_guarded
def copy_ticks_from(symbol: str, date_from: Any, count: int, flags: int) -> Any:
    """Up to `count` ticks from `date_from` on, oldest first (MT5 terminals only)."""
    found = _call("get_ticks", {"symbol": symbol, "from": _ms(date_from), "count": count,
                                "kind": _TICK_KINDS.get(flags, "all")})
    return None if found is None else _ticks(found.ticks)


@_guarded
def copy_ticks_range(symbol: str, date_from: Any, date_to: Any, flags: int) -> Any:
    """Ticks between `date_from` and `date_to`, oldest first (MT5 terminals only)."""
    found = _call("get_ticks", {"symbol": symbol, "from": _ms(date_from), "to": _ms(date_to),
                                "kind": _TICK_KINDS.get(flags, "all")})
    return None if found is None else _ticks(found.ticks)


def _position(p: m.Position) -> TradePosition:
    return TradePosition(
        _ticket(p.ticket), p.time // 1000, p.time, p.update_time // 1000, p.update_time,
        0 if str(p.side) == "buy" else 1, p.magic, _ticket(p.position_id), _REASONS.get(str(p.reason), 0),
        p.volume, p.price_open, p.sl or 0.0, p.tp or 0.0, p.price_current, p.swap, p.profit, p.symbol, p.comment,
        p.client_id or "")


def _order(o: m.Order) -> TradeOrder:
    return TradeOrder(
        _ticket(o.ticket), o.time_setup // 1000, o.time_setup, (o.time_done or 0) // 1000, o.time_done or 0,
        (o.expiration or 0) // 1000, _ORDER_TYPES.index(str(o.type)),
        list(_TIMES_IN_FORCE.values()).index(str(o.time_in_force)),
        {"fok": 0, "ioc": 1, "return": 2, "boc": 3}.get(str(o.filling), 0), _ORDER_STATES.index(str(o.state)),
        o.magic, _ticket(o.position_id), 0, _REASONS.get(str(o.reason), 0), o.volume_initial, o.volume_current,
        o.price_open, o.sl or 0.0, o.tp or 0.0, o.price_current, o.price_stop_limit or 0.0, o.symbol, o.comment,
        o.client_id or "")


def _deal(d: m.Deal) -> TradeDeal:
    return TradeDeal(
        _ticket(d.ticket), _ticket(d.order), d.time // 1000, d.time, _DEAL_TYPES.index(str(d.type)),
        _DEAL_ENTRIES.index(str(d.entry)), d.magic, _ticket(d.position_id), _REASONS.get(str(d.reason), 0),
        d.volume, d.price, d.commission, d.swap, d.profit, d.fee, d.symbol, d.comment, d.client_id or "")


def positions_total() -> int:
    found = _call("get_positions", {})
    return 0 if found is None else len(found.positions)


def positions_get(symbol: str | None = None, group: str | None = None, ticket: int | None = None
                  ) -> tuple[TradePosition, ...] | None:
    if ticket is not None:
        found = _call("get_position", {"ticket": str(ticket)})
        return None if found is None else (_position(found),)
    found = _call("get_positions", {"symbol": symbol})
    if found is None:
        return None
    return tuple(_position(p) for p in found.positions if _matches(p.symbol, group))


def orders_total() -> int:
    found = _call("get_orders", {})
    return 0 if found is None else len(found.orders)


def orders_get(symbol: str | None = None, group: str | None = None, ticket: int | None = None
               ) -> tuple[TradeOrder, ...] | None:
    if ticket is not None:
        found = _call("get_order", {"ticket": str(ticket)})
        return None if found is None else (_order(found),)
    found = _call("get_orders", {"symbol": symbol})
    if found is None:
        return None
    return tuple(_order(o) for o in found.orders if _matches(o.symbol, group))


def _history(method: str, key: str, date_from: Any, date_to: Any, group: str | None, ticket: int | None,
             position: int | None) -> list[Any] | None:
    query: dict[str, Any] = {"limit": 10000}
    if ticket is not None:
        query["ticket"] = str(ticket)
    elif position is not None:
        query["position_id"] = str(position)
    else:
        query.update({"from": _ms(date_from), "to": _ms(date_to)})
    items: list[Any] = []
    while True:
        page = _call(method, dict(query, offset=len(items)))
        if page is None:
            return None
        items.extend(getattr(page, key))
        if not page.has_more or not getattr(page, key):
            return [item for item in items if _matches(item.symbol, group)]


@_guarded
def history_orders_get(date_from: Any = None, date_to: Any = None, group: str | None = None, *,
                       ticket: int | None = None, position: int | None = None) -> tuple[TradeOrder, ...] | None:
    found = _history("get_history_orders", "orders", date_from, date_to, group, ticket, position)
    return None if found is None else tuple(_order(o) for o in found)


@_guarded
def history_orders_total(date_from: Any, date_to: Any) -> int | None:
    found = _history("get_history_orders", "orders", date_from, date_to, None, None, None)
    return None if found is None else len(found)


@_guarded
def history_deals_get(date_from: Any = None, date_to: Any = None, group: str | None = None, *,
                      ticket: int | None = None, position: int | None = None) -> tuple[TradeDeal, ...] | None:
    found = _history("get_history_deals", "deals", date_from, date_to, group, ticket, position)
    return None if found is None else tuple(_deal(d) for d in found)


@_guarded
def history_deals_total(date_from: Any, date_to: Any) -> int | None:
    found = _history("get_history_deals", "deals", date_from, date_to, None, None, None)
    return None if found is None else len(found)


def _side(action: int) -> str:
    if action in (0, 2, 4, 6):
        return "buy"
    if action in (1, 3, 5, 7):
        return "sell"
    raise ValueError(f"order_calc_* needs an ORDER_TYPE_*, not {action}")


@_guarded
def order_calc_margin(action: int, symbol: str, volume: float, price: float) -> float | None:
    found = _call("calc_margin", {"symbol": symbol, "side": _side(action), "volume": volume, "price": price})
    return None if found is None else found.margin


@_guarded
def order_calc_profit(action: int, symbol: str, volume: float, price_open: float, price_close: float
                      ) -> float | None:
    found = _call("calc_profit", {"symbol": symbol, "side": _side(action), "volume": volume,
                                  "price_open": price_open, "price_close": price_close})
    return None if found is None else found.profit


def _place_params(request: dict[str, Any]) -> dict[str, Any]:
    kind = request.get("type")
    if not isinstance(kind, int) or not 0 <= kind < len(_ORDER_TYPES):
        raise ValueError(f"request type must be an ORDER_TYPE_* from BUY to SELL_STOP_LIMIT, not {kind!r}")
    return {
        "symbol": request.get("symbol"), "type": _ORDER_TYPES[kind], "volume": request.get("volume"),
        "price": request.get("price") or None, "stop_limit_price": request.get("stoplimit") or None,
        "sl": request.get("sl") or None, "tp": request.get("tp") or None,
        "deviation_points": request.get("deviation"), "filling": _FILLINGS.get(request.get("type_filling", -1)),
        "time_in_force": _TIMES_IN_FORCE.get(request.get("type_time", -1)),
        "expiration": _ms(request["expiration"]) if request.get("expiration") else None,
        "magic": request.get("magic"), "comment": request.get("comment") or None,
    }


def _trade_call(request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The gateway method and params for an MT5 trade request."""
    action = request.get("action")
    position = request.get("position")
    if action == TRADE_ACTION_DEAL and position:
        return "close_position", {"ticket": str(position), "volume": request.get("volume"),
                                  "deviation_points": request.get("deviation")}
    if action == TRADE_ACTION_DEAL:
        params = _place_params(request)
        if params["type"] not in ("buy", "sell"):
            raise ValueError("TRADE_ACTION_DEAL needs ORDER_TYPE_BUY or ORDER_TYPE_SELL")
        return "place_order", params
    if action == TRADE_ACTION_PENDING:
        params = _place_params(request)
        if params["type"] in ("buy", "sell"):
            raise ValueError("TRADE_ACTION_PENDING needs a pending ORDER_TYPE_*")
        return "place_order", params
    if action == TRADE_ACTION_SLTP:
        return "modify_position", {"ticket": str(position), "sl": request.get("sl", 0.0),
                                   "tp": request.get("tp", 0.0)}
    if action == TRADE_ACTION_MODIFY:
        return "modify_order", {
            "ticket": str(request.get("order")), "price": request.get("price") or None,
            "stop_limit_price": request.get("stoplimit") or None, "sl": request.get("sl", 0.0),
            "tp": request.get("tp", 0.0),
            "time_in_force": _TIMES_IN_FORCE.get(request.get("type_time", -1)),
            "expiration": _ms(request["expiration"]) if request.get("expiration") else None}
    if action == TRADE_ACTION_REMOVE:
        return "cancel_order", {"ticket": str(request.get("order"))}
    if action == TRADE_ACTION_CLOSE_BY:
        return "close_position_by", {"ticket": str(position), "opposite_ticket": str(request.get("position_by"))}
    raise ValueError(f"unknown trade action {action!r}")


def _trade_request(request: dict[str, Any]) -> TradeRequest:
    return TradeRequest(**{field: request.get(field, "" if field in ("symbol", "comment") else 0)
                           for field in TradeRequest._fields})


def order_send(request: dict[str, Any]) -> OrderSendResult | None:
    """Sends a trade request. A rejection is a result with its retcode; other failures return None.

    The gateway's idempotency key is generated per order_send call and reused by the client's retries, so a
    dropped connection never places an order twice.
    """
    try:
        method, params = _trade_call(request)
    except (ValueError, TypeError) as error:
        _fail(RES_E_INVALID_PARAMS, str(error))
        return None
    if _client is None:
        _fail(RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")
        return None
    echo = _trade_request(request)
    try:
        r = _client.call(method, {k: v for k, v in params.items() if v is not None})
    except TradeRejected as error:
        _ok()
        return OrderSendResult(error.retcode or 0, 0, 0, 0.0, 0.0, 0.0, 0.0, error.message, 0, 0, echo)
    except (MetaApiError, ValueError, TypeError) as error:
        _fail(_error_code(error), str(error))
        return None
    _ok()
    return OrderSendResult(r.retcode, _ticket(r.deal), _ticket(r.order), r.volume, r.price, r.bid or 0.0,
                           r.ask or 0.0, r.comment, 0, 0, echo)


def order_check(request: dict[str, Any]) -> OrderCheckResult | None:
    """Checks a new-order request (TRADE_ACTION_DEAL or PENDING) without sending it."""
    try:
        if request.get("action") not in (TRADE_ACTION_DEAL, TRADE_ACTION_PENDING) or request.get("position"):
            raise ValueError("order_check takes TRADE_ACTION_DEAL or TRADE_ACTION_PENDING requests for new orders")
        params = _place_params(request)
    except (ValueError, TypeError) as error:
        _fail(RES_E_INVALID_PARAMS, str(error))
        return None
    c = _call("check_order", params)
    if c is None:
        return None
    return OrderCheckResult(c.retcode, c.balance, c.equity, c.profit, c.margin, c.free_margin, c.margin_level or 0.0,
                            c.comment, _trade_request(request))


_books: set[str] = set()


def market_book_add(symbol: str) -> bool:
    """Starts depth-of-market access for a symbol (checks that the terminal has it)."""
    if _call("get_book", {"symbol": symbol}) is None:
        return False
    _books.add(symbol)
    return True


def market_book_get(symbol: str) -> tuple[BookInfo, ...] | None:
    if symbol not in _books:
        _fail(RES_E_FAIL, "call market_book_add first")
        return None
    book = _call("get_book", {"symbol": symbol})
    if book is None:
        return None
    return tuple(BookInfo(_BOOK_TYPES.get(str(e.side), 0), e.price, int(e.volume), e.volume) for e in book.entries)


def market_book_release(symbol: str) -> bool:
    if symbol not in _books:
        return False
    _books.discard(symbol)
    return True

