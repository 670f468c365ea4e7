"""The MetaTrader5-style market calls: symbols and their specs, the current tick, bars and ticks as numpy
structured arrays (`copy_rates_*`, `copy_ticks_*`), and depth of market."""

from __future__ import annotations

from typing import Any

from . import models as m
from ._mt5_constants import RES_E_FAIL
from ._mt5_records import (
    BookInfo, SymbolInfo, Tick, _BOOK_TYPES, _CALC_MODES, _EXECUTION_MODES, _SYMBOL_TRADE_MODES, _TICK_KINDS,
    _TIMEFRAME_SECONDS, _TIMEFRAMES, _WEEKDAYS,
)
from ._mt5_session import _call, _fail, _guarded, _ms, _ok

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
