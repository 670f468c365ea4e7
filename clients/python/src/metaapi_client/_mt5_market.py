"""The MetaTrader5-style market calls: symbols and their specs, the current tick, bars and ticks as numpy
structured arrays (`copy_rates_*`, `copy_ticks_*`), and depth of market.

The gateway returns at most 10,000 bars or ticks per call; these calls page under the hood, so `copy_*_range` and
`copy_ticks_from(..., 100000, ...)` return everything asked for, as the package does. Times are on the trade
server's clock, as in the package."""

from __future__ import annotations

from typing import Any

from . import _mt5_session as _session
from . import models as m
from ._mt5_constants import RES_E_FAIL
from ._mt5_records import (
    _BOOK_TYPES, _CALC_MODES, _EXECUTION_MODES, _SYMBOL_FLAG_FIELDS, _SYMBOL_INT_FIELDS, _SYMBOL_TEXT_FIELDS,
    _SYMBOL_TRADE_MODES, _TICK_KINDS, _TIMEFRAME_SECONDS, _TIMEFRAMES, _WEEKDAYS, BookInfo, SymbolInfo, Tick,
)
from ._mt5_session import _call, _fail, _guarded, _ms, _ok, _server_msc, _server_s

# The most bars or ticks one gateway call returns (the protocol's `count` limit).
PAGE = 10_000
# SYMBOL_ORDER_MODE flags (MQL5): which order kinds a symbol allows.
_ORDER_MODE_FLAGS = {"buy": 1, "sell": 1, "buy_limit": 2, "sell_limit": 2, "buy_stop": 4, "sell_stop": 4,
                     "buy_stop_limit": 8, "sell_stop_limit": 8}
SYMBOL_ORDER_SL, SYMBOL_ORDER_TP, SYMBOL_ORDER_CLOSEBY = 16, 32, 64


def _all_symbols(group: str | None) -> list[m.SymbolSummary] | None:
    """Every listed symbol (matching `group`), following the pages a broker with many symbols answers in."""
    symbols: list[m.SymbolSummary] = []
    query: dict[str, Any] = {"group": group, "limit": PAGE}
    while True:
        found = _call("get_symbols", query)
        if found is None:
            return None
        symbols.extend(found.symbols)
        if not found.has_more or found.next_offset is None or not found.symbols:
            return symbols
        query["offset"] = found.next_offset


def symbols_total() -> int:
    found = _all_symbols(None)
    return 0 if found is None else len(found)


def symbols_get(group: str | None = None) -> tuple[SymbolInfo, ...] | None:
    """Every symbol (matching `group`) with its full spec and current prices, like symbol_info for each."""
    listed_symbols = _all_symbols(group)
    if listed_symbols is None:
        return None
    names = [s.name for s in listed_symbols]
    quotes: dict[str, m.Quote] = {}
    for start in range(0, len(names), 1000):
        listed = _call("get_quotes", {"symbols": names[start:start + 1000]})
        if listed is not None:
            quotes.update((q.symbol, q) for q in listed.quotes)
    infos = []
    for summary in listed_symbols:
        spec = _call("get_symbol_spec", {"symbol": summary.name})
        infos.append(_symbol_info(spec, summary, quotes.get(summary.name)))
    _ok()
    return tuple(infos)


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
    """The package's record; fields the gateway does not carry (session statistics, option greeks, ...) are 0."""
    def bits(values: list[Any], table: dict[str, int]) -> int:
        flags = 0
        for value in values:
            flags |= table.get(str(value), 0)
        return flags

    fields: dict[str, Any] = {
        name: "" if name in _SYMBOL_TEXT_FIELDS else False if name in _SYMBOL_FLAG_FIELDS
        else 0 if name in _SYMBOL_INT_FIELDS else 0.0 for name in SymbolInfo._fields}
    if listed is not None:
        fields.update(name=listed.name, select=bool(listed.selected), visible=bool(listed.selected),
                      description=listed.description, path=listed.path, digits=listed.digits)
    if spec is not None:
        order_mode = bits(spec.order_types, _ORDER_MODE_FLAGS) | SYMBOL_ORDER_SL | SYMBOL_ORDER_TP
        if "close_by" in _session._capabilities:
            order_mode |= SYMBOL_ORDER_CLOSEBY
        fields.update(
            name=spec.symbol, digits=spec.digits, spread=spec.spread, spread_float=spec.spread_float,
            trade_calc_mode=_CALC_MODES.get(str(spec.calc_mode), 0),
            trade_mode=_SYMBOL_TRADE_MODES.index(str(spec.trade_mode)),
            trade_exemode=_EXECUTION_MODES.index(str(spec.execution_mode)),
            trade_stops_level=spec.stops_level, trade_freeze_level=spec.freeze_level,
            expiration_mode=bits(spec.expiration_modes, {"gtc": 1, "day": 2, "specified": 4, "specified_day": 8}),
            filling_mode=bits(spec.filling_modes, {"fok": 1, "ioc": 2, "boc": 4}), order_mode=order_mode,
            swap_rollover3days=_WEEKDAYS.index(str(spec.swap_rollover3days)), point=spec.point,
            trade_tick_value=spec.tick_value, trade_tick_value_profit=spec.tick_value,
            trade_tick_value_loss=spec.tick_value, trade_tick_size=spec.tick_size,
            trade_contract_size=spec.contract_size, volume_min=spec.volume_min, volume_max=spec.volume_max,
            volume_step=spec.volume_step, volume_limit=spec.volume_limit, swap_long=spec.swap_long,
            swap_short=spec.swap_short, margin_initial=spec.margin_initial,
            margin_maintenance=spec.margin_maintenance, margin_hedged=spec.margin_hedged,
            currency_base=spec.base_currency, currency_profit=spec.profit_currency,
            currency_margin=spec.margin_currency, description=spec.description)
    if quote is not None:
        fields.update(time=_server_s(quote.time), bid=quote.bid, ask=quote.ask, last=quote.last or 0.0)
    return SymbolInfo(**fields)


def symbol_info_tick(symbol: str) -> Tick | None:
    quote = _call("get_quote", {"symbol": symbol})
    if quote is None:
        return None
    return Tick(_server_s(quote.time), quote.bid, quote.ask, quote.last or 0.0, 0, _server_msc(quote.time), 6, 0.0)


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
    rows = [(_server_s(c.time), c.open, c.high, c.low, c.close, c.tick_volume, c.spread, c.real_volume)
            for c in candles]
    return np.array(rows, dtype=RATES_DTYPE)


def _timeframe(timeframe: int) -> str:
    if timeframe not in _TIMEFRAMES:
        raise ValueError(f"unknown timeframe {timeframe}")
    return _TIMEFRAMES[timeframe]


def _candles_between(symbol: str, frame: str, from_ms: int, to_ms: int) -> list[m.Candle] | None:
    """Every bar that opened in [from_ms, to_ms] (UTC), oldest first, however many pages that takes."""
    candles: list[m.Candle] = []
    while True:
        found = _call("get_candles", {"symbol": symbol, "timeframe": frame, "from": from_ms, "to": to_ms})
        if found is None:
            return None
        fresh = [c for c in found.candles if from_ms <= c.time <= to_ms]
        candles.extend(fresh)
        if not found.has_more or not fresh:
            return candles
        # Bars have distinct open times, so the next page starts just after the last one.
        from_ms = fresh[-1].time + 1


def _candles_before(symbol: str, timeframe: int, to_ms: int, count: int) -> list[m.Candle] | None:
    """The `count` newest bars that opened at or before `to_ms` (UTC), oldest first (fewer if history ends)."""
    frame = _timeframe(timeframe)
    # Markets close on weekends and holidays: widen the window until it holds `count` bars or reaches the epoch.
    span = max(count, 1) * _TIMEFRAME_SECONDS[timeframe] * 1000
    while True:
        from_ms = max(to_ms - span, 0)
        candles = _candles_between(symbol, frame, from_ms, to_ms)
        if candles is None or len(candles) >= count or from_ms == 0:
            return None if candles is None else candles[len(candles) - count:] if count else []
        span *= 4


@_guarded
def copy_rates_from(symbol: str, timeframe: int, date_from: Any, count: int, /) -> Any:
    """`count` bars that opened at or before `date_from`, oldest first."""
    if count < 1:
        raise ValueError("count must be >= 1")
    candles = _candles_before(symbol, timeframe, _ms(date_from), count)
    return None if candles is None else _rates(candles)


@_guarded
def copy_rates_from_pos(symbol: str, timeframe: int, start_pos: int, count: int, /) -> Any:
    """`count` bars ending `start_pos` bars before the current one (0 is the current bar), oldest first."""
    if start_pos < 0 or count < 1:
        raise ValueError("start_pos must be >= 0 and count >= 1")
    wanted = start_pos + count
    found = _call("get_candles", {"symbol": symbol, "timeframe": _timeframe(timeframe),
                                  "count": min(wanted, PAGE)})
    if found is None:
        return None
    candles = found.candles
    if wanted > PAGE and candles:
        candles = _candles_before(symbol, timeframe, candles[-1].time, wanted)
        if candles is None:
            return None
    candles = candles[: len(candles) - start_pos] if start_pos else candles
    return _rates(candles[-count:])


@_guarded
def copy_rates_range(symbol: str, timeframe: int, date_from: Any, date_to: Any, /) -> Any:
    """Bars that opened between `date_from` and `date_to`, oldest first."""
    candles = _candles_between(symbol, _timeframe(timeframe), _ms(date_from), _ms(date_to))
    return None if candles is None else _rates(candles)


def _ticks(ticks: list[m.Tick]) -> Any:
    np = _numpy()
    rows = [(_server_s(t.time), t.bid, t.ask, t.last, int(t.volume), _server_msc(t.time), t.flags, t.volume)
            for t in ticks]
    return np.array(rows, dtype=TICKS_DTYPE)


def _tick_pages(query: dict[str, Any], count: int | None) -> list[m.Tick] | None:
    """Ticks from query["from"] on (up to `count`, or to query["to"]), oldest first, paging as needed."""
    ticks: list[m.Tick] = []
    query = dict(query)
    while True:
        if count is not None:
            query["count"] = min(count - len(ticks), PAGE)
        found = _call("get_ticks", query)
        if found is None:
            return None
        page = [t for t in found.ticks if t.time >= query["from"]]
        if ticks:
            # Several ticks can share a millisecond, so a page starts at the previous page's last millisecond and
            # the ticks of that millisecond already taken are skipped.
            taken = sum(1 for t in ticks if t.time == query["from"])
            page = page[taken:] if all(t.time == query["from"] for t in page[:taken]) else page
        ticks.extend(page)
        full = count is not None and len(found.ticks) >= query["count"]
        if not page or not (found.has_more or full) or (count is not None and len(ticks) >= count):
            return ticks[:count] if count is not None else ticks
        query["from"] = ticks[-1].time


@_guarded
def copy_ticks_from(symbol: str, date_from: Any, count: int, flags: int, /) -> Any:
    """Up to `count` ticks from `date_from` on, oldest first (MT5 terminals only)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    found = _tick_pages({"symbol": symbol, "from": _ms(date_from), "kind": _TICK_KINDS.get(flags, "all")}, count)
    return None if found is None else _ticks(found)


@_guarded
def copy_ticks_range(symbol: str, date_from: Any, date_to: Any, flags: int, /) -> Any:
    """Ticks between `date_from` and `date_to`, oldest first (MT5 terminals only)."""
    found = _tick_pages({"symbol": symbol, "from": _ms(date_from), "to": _ms(date_to),
                         "kind": _TICK_KINDS.get(flags, "all")}, None)
    return None if found is None else _ticks(found)


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
