"""The MetaTrader5-style trading calls: open positions and orders, history, margin and profit estimates, and
`order_send` / `order_check`, which translate MT5 trade requests into the gateway's trading methods."""

from __future__ import annotations

from typing import Any

from . import _mt5_session as _session
from . import models as m
from ._mt5_constants import (
    ORDER_TYPE_BUY, ORDER_TYPE_SELL, RES_E_INTERNAL_FAIL_CONNECT, RES_E_NOT_FOUND, RES_E_INVALID_PARAMS, TRADE_ACTION_CLOSE_BY,
    TRADE_ACTION_DEAL, TRADE_ACTION_MODIFY, TRADE_ACTION_PENDING, TRADE_ACTION_REMOVE, TRADE_ACTION_SLTP,
    TRADE_RETCODE_DONE, TRADE_RETCODE_PRICE_OFF, TRADE_RETCODE_REQUOTE,
)
from ._mt5_records import (
    OrderCheckResult, OrderSendResult, TradeDeal, TradeOrder, TradePosition, TradeRequest, _DEAL_ENTRIES,
    _DEAL_TYPES, _FILLINGS, _ORDER_STATES, _ORDER_TYPES, _REASONS, _TIMES_IN_FORCE,
)
from ._mt5_session import (
    _call, _error_code, _fail, _guarded, _matches, _ms, _ok, _server_msc, _server_s, _ticket,
)
from .errors import MetaApiError, TradeRejected

def _position(p: m.Position) -> TradePosition:
    return TradePosition(
        _ticket(p.ticket), _server_s(p.time), _server_msc(p.time), _server_s(p.update_time),
        _server_msc(p.update_time),
        0 if str(p.side) == "buy" else 1, p.magic, _ticket(p.position_id), _REASONS.get(str(p.reason), 0),
        p.volume, p.price_open, p.sl or 0.0, p.tp or 0.0, p.price_current, p.swap, p.profit, p.symbol, p.comment,
        p.client_id or "")


def _order(o: m.Order) -> TradeOrder:
    return TradeOrder(
        _ticket(o.ticket), _server_s(o.time_setup), _server_msc(o.time_setup), _server_s(o.time_done),
        _server_msc(o.time_done), _server_s(o.expiration), _ORDER_TYPES.index(str(o.type)),
        list(_TIMES_IN_FORCE.values()).index(str(o.time_in_force)),
        {"fok": 0, "ioc": 1, "return": 2, "boc": 3}.get(str(o.filling), 0), _ORDER_STATES.index(str(o.state)),
        o.magic, _ticket(o.position_id), _ticket(o.position_by), _REASONS.get(str(o.reason), 0), o.volume_initial, o.volume_current,
        o.price_open, o.sl or 0.0, o.tp or 0.0, o.price_current, o.price_stop_limit or 0.0, o.symbol, o.comment,
        o.client_id or "")


def _deal(d: m.Deal) -> TradeDeal:
    return TradeDeal(
        _ticket(d.ticket), _ticket(d.order), _server_s(d.time), _server_msc(d.time), _DEAL_TYPES.index(str(d.type)),
        _DEAL_ENTRIES.index(str(d.entry)), d.magic, _ticket(d.position_id), _REASONS.get(str(d.reason), 0),
        d.volume, d.price, d.commission, d.swap, d.profit, d.fee, d.symbol, d.comment, d.client_id or "")


def _none_when_gone() -> tuple[()] | None:
    """After a failed lookup by ticket: the package answers an empty tuple (and success) for a ticket that is not
    open, and None only when the call itself failed."""
    if _session.last_error()[0] == RES_E_NOT_FOUND:
        _ok()
        return ()
    return None


def positions_total() -> int:
    found = _call("get_positions", {})
    return 0 if found is None else len(found.positions)


def positions_get(*, symbol: str | None = None, group: str | None = None, ticket: int | None = None
                  ) -> tuple[TradePosition, ...] | None:
    if ticket is not None:
        found = _call("get_position", {"ticket": str(ticket)})
        return _none_when_gone() if found is None else (_position(found),)
    found = _call("get_positions", {"symbol": symbol})
    if found is None:
        return None
    return tuple(_position(p) for p in found.positions if _matches(p.symbol, group))


def orders_total() -> int:
    found = _call("get_orders", {})
    return 0 if found is None else len(found.orders)


def orders_get(*, symbol: str | None = None, group: str | None = None, ticket: int | None = None
               ) -> tuple[TradeOrder, ...] | None:
    if ticket is not None:
        found = _call("get_order", {"ticket": str(ticket)})
        return _none_when_gone() if found is None else (_order(found),)
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
    """Deals by time range (and group), by `ticket` (the deals of that order, DEAL_ORDER, as in the package), or
    by `position`."""
    if ticket is not None:
        # The gateway's ticket filter names a deal; the package's names the order, so go through its position.
        orders = _history("get_history_orders", "orders", None, None, None, ticket, None)
        if orders is None:
            return None
        deals: list[Any] = []
        for position_id in dict.fromkeys(o.position_id for o in orders if o.position_id):
            found = _history("get_history_deals", "deals", None, None, None, None, int(position_id))
            if found is None:
                return None
            deals.extend(d for d in found if _ticket(d.order) == int(ticket))
        return tuple(_deal(d) for d in deals)
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
def order_calc_margin(action: int, symbol: str, volume: float, price: float, /) -> float | None:
    found = _call("calc_margin", {"symbol": symbol, "side": _side(action), "volume": volume, "price": price})
    return None if found is None else found.margin


@_guarded
def order_calc_profit(action: int, symbol: str, volume: float, price_open: float, price_close: float, /
                      ) -> float | None:
    found = _call("calc_profit", {"symbol": symbol, "side": _side(action), "volume": volume,
                                  "price_open": price_open, "price_close": price_close})
    return None if found is None else found.profit


def _place_params(request: dict[str, Any]) -> dict[str, Any]:
    kind = request.get("type")
    # ORDER_TYPE_CLOSE_BY is not placed: order_send's TRADE_ACTION_CLOSE_BY goes to close_position_by.
    if not isinstance(kind, int) or not 0 <= kind < _ORDER_TYPES.index("close_by"):
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
        if not position:
            position = _netting_position(request.get("symbol"))
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


def _netting_position(symbol: Any) -> int:
    """The position a symbol-only TRADE_ACTION_SLTP means: on a netting account, the symbol's one position."""
    if not symbol:
        raise ValueError("TRADE_ACTION_SLTP needs a position ticket or, on a netting account, a symbol")
    found = _session._client.call("get_positions", {"symbol": symbol}) if _session._client is not None else None
    positions = [] if found is None else found.positions
    if len(positions) != 1:
        raise ValueError(f"TRADE_ACTION_SLTP by symbol needs exactly one {symbol} position, found {len(positions)}; "
                         "give the position ticket")
    return _ticket(positions[0].ticket)


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
    except MetaApiError as error:
        _fail(_error_code(error), str(error))
        return None
    # Read through the session module at call time: initialize and shutdown replace the client there.
    client = _session._client
    if client is None:
        _fail(RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")
        return None
    echo = _trade_request(request)
    try:
        r = client.call(method, {k: v for k, v in params.items() if v is not None})
    except TradeRejected as error:
        _ok()
        return OrderSendResult(error.retcode or 0, 0, 0, 0.0, 0.0, 0.0, 0.0, error.message, 0, 0, echo)
    except (MetaApiError, ValueError, TypeError) as error:
        _fail(_error_code(error), str(error))
        return None
    _ok()
    # MT4 reports success as 0; scripts written for MT5 compare with TRADE_RETCODE_DONE.
    retcode = TRADE_RETCODE_DONE if r.retcode == 0 else r.retcode
    return OrderSendResult(retcode, _ticket(r.deal), _ticket(r.order), r.volume, r.price, r.bid or 0.0,
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


# The package's own Python helpers (in its __init__.py): a market deal, Buy, Sell and Close. Libraries such as
# pymt5adapter re-export them, so they are part of the interface.

def _RawOrder(order_type: int, symbol: str, volume: float, price: float, comment: str | None = None,
              ticket: int | None = None) -> OrderSendResult | None:
    order: dict[str, Any] = {"action": TRADE_ACTION_DEAL, "symbol": symbol, "volume": volume, "type": order_type,
                             "price": price, "deviation": 10}
    if comment is not None:
        order["comment"] = comment
    if ticket is not None:
        order["position"] = ticket
    return order_send(order)


def Buy(symbol: str, volume: float, price: float | None = None, *, comment: str | None = None,
        ticket: int | None = None) -> OrderSendResult | None:
    """A market buy; without `price`, retried at the current ask while the server requotes."""
    return _market(ORDER_TYPE_BUY, symbol, volume, price, comment, ticket)


def Sell(symbol: str, volume: float, price: float | None = None, *, comment: str | None = None,
         ticket: int | None = None) -> OrderSendResult | None:
    """A market sell; without `price`, retried at the current bid while the server requotes."""
    return _market(ORDER_TYPE_SELL, symbol, volume, price, comment, ticket)


def _market(order_type: int, symbol: str, volume: float, price: float | None, comment: str | None,
            ticket: int | None) -> OrderSendResult | None:
    if price is not None:
        return _RawOrder(order_type, symbol, volume, price, comment, ticket)
    result = None
    for _ in range(10):
        quote = _call("get_quote", {"symbol": symbol})
        if quote is None:
            return None
        result = _RawOrder(order_type, symbol, volume, quote.ask if order_type == ORDER_TYPE_BUY else quote.bid,
                           comment, ticket)
        if result is None or result.retcode not in (TRADE_RETCODE_REQUOTE, TRADE_RETCODE_PRICE_OFF):
            break
    return result


def Close(symbol: str, *, comment: str | None = None, ticket: int | None = None) -> bool | str | None:
    """Closes the symbol's positions (or one by ticket): True when all closed, "Partially", False, or None."""
    positions = positions_get(ticket=ticket) if ticket is not None else positions_get(symbol=symbol)
    if positions is None:
        return None
    tried = done = 0
    for position in positions:
        tried += 1
        for _ in range(10):
            quote = _call("get_quote", {"symbol": symbol})
            if quote is None:
                return None
            closing = ORDER_TYPE_SELL if position.type == ORDER_TYPE_BUY else ORDER_TYPE_BUY
            price = quote.bid if closing == ORDER_TYPE_SELL else quote.ask
            result = _RawOrder(closing, symbol, position.volume, price, comment, position.ticket)
            if result is None:
                return None
            if result.retcode not in (TRADE_RETCODE_REQUOTE, TRADE_RETCODE_PRICE_OFF):
                done += result.retcode == TRADE_RETCODE_DONE
                break
    if done:
        return True if done == tried else "Partially"
    return False
