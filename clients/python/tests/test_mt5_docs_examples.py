"""The MetaTrader5 package's documentation examples, one or more per function, run against the live demo through
`import MetaTrader5 as mt5` (the shim). They follow the mql5.com reference's examples and descriptions, written for
this test: the reference's symbols become the demo's (EURUSD, GBPUSD, USDJPY, XAUUSD), and its fixed 2020 dates
become dates relative to the demo's clock, which is simulated. What the reference says a call returns is asserted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from conftest import Demo

import MetaTrader5 as mt5

@pytest.fixture
def connected(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`mt5.initialize()` as the examples call it: no arguments, the gateway and token from the environment."""
    monkeypatch.setenv("METAAPI_GATEWAY_URL", demo.url)
    monkeypatch.setenv("METAAPI_TOKEN", demo.token)
    if not mt5.initialize():
        pytest.fail(f"initialize() failed, error code = {mt5.last_error()}")
    yield
    mt5.shutdown()


def server_now() -> datetime:
    """The demo's current time on the trade server's clock, as the package's datetimes are (tzinfo=UTC)."""
    return datetime.fromtimestamp(mt5.symbol_info_tick("EURUSD").time, tz=timezone.utc)


def on_a_weekday(moment: datetime) -> datetime:
    """`moment`, or the same time on the Friday before when it falls on a weekend: the simulated broker, like a real
    one, quotes Monday to Friday on its own clock, so a bar exists at any weekday minute and at no weekend one."""
    return moment - timedelta(days=max(0, moment.weekday() - 4))


def test_initialize_shutdown_version_last_error(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METAAPI_GATEWAY_URL", demo.url)
    monkeypatch.setenv("METAAPI_TOKEN", demo.token)
    print("MetaTrader5 package author: ", mt5.__author__)
    print("MetaTrader5 package version: ", mt5.__version__)
    assert mt5.initialize(), mt5.last_error()
    assert mt5.last_error() == (mt5.RES_S_OK, "Success")
    version = mt5.version()
    print(version)
    assert len(version) == 3 and version[0] == 500 and version[1] > 0
    # initialize(login=...) with the terminal's own account succeeds; another account is refused.
    login = mt5.account_info().login
    assert mt5.initialize(login=login, server="MetaQuotes-Demo", password="not sent anywhere")
    assert not mt5.initialize(login=login + 1, password="not sent anywhere")
    assert mt5.last_error()[0] == mt5.RES_E_AUTH_FAILED
    mt5.shutdown()
    assert mt5.terminal_info() is None and mt5.last_error()[0] == mt5.RES_E_INTERNAL_FAIL_CONNECT


def test_login_and_account_info(connected: None) -> None:
    account = mt5.account_info().login
    authorized = mt5.login(account, password="gqrtz0lbdm")
    assert authorized, f"failed to connect at account #{account}, error code: {mt5.last_error()}"
    account_info_dict = mt5.account_info()._asdict()
    for prop in account_info_dict:
        print(f"  {prop}={account_info_dict[prop]}")
    assert account_info_dict["login"] == account and account_info_dict["balance"] > 0
    assert list(account_info_dict)[:3] == ["login", "trade_mode", "leverage"]


def test_terminal_info(connected: None) -> None:
    terminal_info = mt5.terminal_info()
    terminal_info_dict = terminal_info._asdict()
    print(terminal_info_dict)
    assert terminal_info.connected and terminal_info.dlls_allowed and terminal_info.build > 0
    assert list(terminal_info_dict)[-1] == "commondata_path"


def test_symbols_total_and_get(connected: None) -> None:
    symbols = mt5.symbols_total()
    assert symbols > 0, "symbols not found"
    all_symbols = mt5.symbols_get()
    assert len(all_symbols) == symbols
    usd_symbols = mt5.symbols_get(group="*USD*")
    assert usd_symbols and all("USD" in s.name for s in usd_symbols)
    # "*,!*USD*,!*EUR*,!*JPY*,!*GBP*": everything but those currencies.
    others = mt5.symbols_get("*,!*USD*,!*EUR*,!*JPY*,!*GBP*")
    assert all(not any(c in s.name for c in ("USD", "EUR", "JPY", "GBP")) for s in others)
    # symbols_get fills each symbol's spec and prices, as symbol_info does.
    for s in all_symbols:
        assert s.point > 0 and s.volume_min > 0 and s.trade_contract_size > 0 and s.ask >= s.bid > 0, s.name


def test_symbol_info_and_select(connected: None) -> None:
    selected = mt5.symbol_select("EURUSD", True)
    assert selected, "Failed to select EURUSD"
    symbol_info = mt5.symbol_info("EURUSD")
    print(symbol_info)
    print("EURUSD: spread =", symbol_info.spread, "  digits =", symbol_info.digits)
    symbol_info_dict = symbol_info._asdict()
    assert len(symbol_info_dict) == 96 and symbol_info.trade_tick_value_loss > 0
    assert symbol_info.currency_base == "EUR" and symbol_info.currency_profit == "USD"
    assert symbol_info.order_mode & 1 and symbol_info.filling_mode > 0
    assert mt5.symbol_info("NO_SUCH_SYMBOL") is None and mt5.last_error()[0] == mt5.RES_E_NOT_FOUND


def test_symbol_info_tick(connected: None) -> None:
    mt5.symbol_select("GBPUSD", True)
    lasttick = mt5.symbol_info_tick("GBPUSD")
    print(lasttick)
    tick_dict = lasttick._asdict()
    assert list(tick_dict) == ["time", "bid", "ask", "last", "volume", "time_msc", "flags", "volume_real"]
    assert lasttick.ask >= lasttick.bid > 0 and lasttick.time_msc // 1000 == lasttick.time


def test_market_book(connected: None) -> None:
    assert mt5.market_book_add("EURUSD"), mt5.last_error()
    items = mt5.market_book_get("EURUSD")
    print(items)
    assert items and {it.type for it in items} <= {1, 2, 3, 4}
    for it in items:
        assert set(it._asdict()) == {"type", "price", "volume", "volume_dbl"}
    assert mt5.market_book_release("EURUSD")


def test_copy_rates_from(connected: None) -> None:
    # The reference's three days back, moved off a weekend: the newest bar at date_from is then at date_from.
    utc_from = on_a_weekday(server_now() - timedelta(days=3))
    rates = mt5.copy_rates_from("EURUSD", mt5.TIMEFRAME_M5, utc_from, 10)
    for rate in rates:
        print(rate)
    assert len(rates) == 10 and rates.dtype.names[0] == "time"
    assert rates["time"][-1] <= utc_from.timestamp(), "a bar newer than date_from"
    assert all(np.diff(rates["time"]) > 0), "bars are oldest first"
    # Far more than one gateway page: paged under the hood, still the newest bars at or before date_from.
    many = mt5.copy_rates_from("EURUSD", mt5.TIMEFRAME_M1, utc_from, 12000)
    assert len(many) == 12000 and many["time"][-1] <= utc_from.timestamp() and all(np.diff(many["time"]) > 0)
    assert utc_from.timestamp() - many["time"][-1] < 60, "the newest bar is not the one at date_from"


def test_copy_rates_from_pos(connected: None) -> None:
    rates = mt5.copy_rates_from_pos("GBPUSD", mt5.TIMEFRAME_D1, 0, 10)
    print(rates)
    assert len(rates) == 10 and all(np.diff(rates["time"]) > 0)
    newest = mt5.copy_rates_from_pos("GBPUSD", mt5.TIMEFRAME_M1, 0, 1)
    assert newest["time"][0] <= mt5.symbol_info_tick("GBPUSD").time


def test_copy_rates_range(connected: None) -> None:
    utc_to = server_now() - timedelta(hours=1)
    utc_from = utc_to - timedelta(days=12)
    rates = mt5.copy_rates_range("USDJPY", mt5.TIMEFRAME_M1, utc_from, utc_to)
    print(len(rates), "bars")
    # Twelve days of minute bars are more than 10,000: the range is paged, never truncated.
    assert len(rates) > 10_000
    assert rates["time"][0] >= utc_from.timestamp() and rates["time"][-1] <= utc_to.timestamp()
    assert all(np.diff(rates["time"]) > 0)


def test_copy_ticks_from(connected: None) -> None:
    utc_from = server_now() - timedelta(days=10)
    # The reference's own call asks for 100,000 ticks (the gateway gives at most 10,000 a call).
    ticks = mt5.copy_ticks_from("EURUSD", utc_from, 100000, mt5.COPY_TICKS_ALL)
    assert ticks is not None, mt5.last_error()
    print("Ticks received:", len(ticks))
    assert len(ticks) > 10_000, "only one page came back"
    assert ticks["time"][0] >= utc_from.timestamp() and all(np.diff(ticks["time_msc"]) >= 0)
    assert len(np.unique(ticks[["time_msc", "bid", "ask"]])) == len(ticks), "pages overlap"
    if len(ticks) < 100000:
        # The simulated terminal keeps less tick history than that: then every tick up to now came back.
        assert mt5.symbol_info_tick("EURUSD").time_msc - ticks["time_msc"][-1] < 60_000
    few = mt5.copy_ticks_from("EURUSD", utc_from, 10, mt5.COPY_TICKS_ALL)
    assert len(few) == 10 and all(np.diff(few["time_msc"]) >= 0)


def test_copy_ticks_range(connected: None) -> None:
    utc_to = server_now() - timedelta(minutes=5)
    # The reference asks for 12 hours. Three days hold the terminal's newest ticks at any time of the week: early on
    # a Monday the last 12 hours hold only minutes of them (on a real terminal too), the rest are Friday's.
    utc_from = utc_to - timedelta(days=3)
    ticks = mt5.copy_ticks_range("EURUSD", utc_from, utc_to, mt5.COPY_TICKS_ALL)
    print("Ticks received:", len(ticks))
    assert len(ticks) > 10_000, "the range is paged, never cut at one page"
    assert ticks["time"][0] >= utc_from.timestamp() and ticks["time"][-1] <= utc_to.timestamp()


def test_order_calc_margin_and_profit(connected: None) -> None:
    account_currency = mt5.account_info().currency
    print("Account currency:", account_currency)
    for symbol in ("EURUSD", "GBPUSD", "USDJPY", "XAUUSD"):
        symbol_info = mt5.symbol_info(symbol)
        ask = mt5.symbol_info_tick(symbol).ask
        margin = mt5.order_calc_margin(mt5.ORDER_TYPE_BUY, symbol, 0.1, ask)
        assert margin is not None and margin > 0, (symbol, mt5.last_error())
        point = symbol_info.point
        buy_profit = mt5.order_calc_profit(mt5.ORDER_TYPE_BUY, symbol, 1.0, ask, ask + 100 * point)
        sell_profit = mt5.order_calc_profit(mt5.ORDER_TYPE_SELL, symbol, 1.0, ask, ask + 100 * point)
        print(f"   {symbol} buy 0.1 lot margin: {margin} {account_currency}; 100 points: {buy_profit}")
        assert buy_profit > 0 > sell_profit


def test_order_check(connected: None) -> None:
    symbol = "USDJPY"
    point = mt5.symbol_info(symbol).point
    price = mt5.symbol_info_tick(symbol).ask
    request = {
        "action": mt5.TRADE_ACTION_DEAL, "symbol": symbol, "volume": 1.0, "type": mt5.ORDER_TYPE_BUY,
        "price": price, "sl": price - 100 * point, "tp": price + 100 * point, "deviation": 10, "magic": 234000,
        "comment": "python script", "type_time": mt5.ORDER_TIME_GTC, "type_filling": mt5.ORDER_FILLING_IOC,
    }
    result = mt5.order_check(request)
    print(result)
    assert result is not None, mt5.last_error()
    assert result.retcode in (0, mt5.TRADE_RETCODE_DONE) and result.margin > 0
    assert result.request.symbol == symbol


def test_order_send_open_and_close_and_history(connected: None) -> None:
    symbol = "USDJPY"
    lot = 0.1
    point = mt5.symbol_info(symbol).point
    price = mt5.symbol_info_tick(symbol).ask
    deviation = 20
    request = {
        "action": mt5.TRADE_ACTION_DEAL, "symbol": symbol, "volume": lot, "type": mt5.ORDER_TYPE_BUY,
        "price": price, "sl": price - 100 * point, "tp": price + 100 * point, "deviation": deviation,
        "magic": 234000, "comment": "python script open", "type_time": mt5.ORDER_TIME_GTC,
        "type_filling": mt5.ORDER_FILLING_IOC,
    }
    result = mt5.order_send(request)
    assert result.retcode == mt5.TRADE_RETCODE_DONE, f"order_send failed, retcode={result.retcode}"
    print(f"1. order_send(): by {symbol} {lot} lots at {price} with deviation={deviation} points")
    for field, value in result._asdict().items():
        print(f"   {field}={value}")
    assert mt5.positions_total() >= 1
    [position] = mt5.positions_get(ticket=result.order)
    assert position.symbol == symbol and position.volume == lot and position.magic == 234000
    assert mt5.positions_get(symbol=symbol) and all("USD" in p.symbol for p in mt5.positions_get(group="*USD*"))

    # The reference closes by position_id = result.order.
    position_id = result.order
    price = mt5.symbol_info_tick(symbol).bid
    close = {
        "action": mt5.TRADE_ACTION_DEAL, "symbol": symbol, "volume": lot, "type": mt5.ORDER_TYPE_SELL,
        "position": position_id, "price": price, "deviation": deviation, "magic": 234000,
        "comment": "python script close", "type_time": mt5.ORDER_TIME_GTC, "type_filling": mt5.ORDER_FILLING_IOC,
    }
    closed = mt5.order_send(close)
    assert closed.retcode == mt5.TRADE_RETCODE_DONE, f"close failed, retcode={closed.retcode}"
    assert not mt5.positions_get(ticket=position_id)

    # History: the reference asks by date range with a group, by ticket and by position.
    from_date = server_now() - timedelta(days=1)
    to_date = server_now() + timedelta(minutes=1)
    assert mt5.history_orders_total(from_date, to_date) >= 2
    assert mt5.history_deals_total(from_date, to_date) >= 2
    orders = mt5.history_orders_get(from_date, to_date, group="*JPY*")
    assert any(o.ticket == result.order for o in orders) and all("JPY" in o.symbol for o in orders)
    [order] = mt5.history_orders_get(ticket=result.order)
    assert order.position_id == position_id and order.state == mt5.ORDER_STATE_FILLED
    position_orders = mt5.history_orders_get(position=position_id)
    assert {o.ticket for o in position_orders} == {result.order, closed.order}
    # history_deals_get(ticket=...) takes the ORDER's ticket: the deals that order made (DEAL_ORDER).
    [opening_deal] = mt5.history_deals_get(ticket=result.order)
    assert opening_deal.order == result.order and opening_deal.ticket == result.deal
    assert opening_deal.entry == mt5.DEAL_ENTRY_IN
    deals = mt5.history_deals_get(position=position_id)
    assert {d.entry for d in deals} == {mt5.DEAL_ENTRY_IN, mt5.DEAL_ENTRY_OUT}
    ranged = mt5.history_deals_get(from_date, to_date, group="*,!*EUR*,!*GBP*")
    assert any(d.ticket == result.deal for d in ranged) and not any("EUR" in d.symbol for d in ranged)
    # Times are on the trade server's clock, as the package gives them.
    assert abs(opening_deal.time - mt5.symbol_info_tick(symbol).time) < 3600


def test_pending_orders_get_total_and_remove(connected: None) -> None:
    symbol = "GBPUSD"
    point = mt5.symbol_info(symbol).point
    price = mt5.symbol_info_tick(symbol).ask - 500 * point
    placed = mt5.order_send({
        "action": mt5.TRADE_ACTION_PENDING, "symbol": symbol, "volume": 0.1, "type": mt5.ORDER_TYPE_BUY_LIMIT,
        "price": round(price, 5), "magic": 234000, "comment": "python pending", "type_time": mt5.ORDER_TIME_GTC,
        "type_filling": mt5.ORDER_FILLING_RETURN,
    })
    assert placed.retcode in (mt5.TRADE_RETCODE_DONE, mt5.TRADE_RETCODE_PLACED), placed
    assert mt5.orders_total() >= 1
    orders = mt5.orders_get(symbol=symbol)
    assert any(o.ticket == placed.order for o in orders)
    gbp_orders = mt5.orders_get(group="*GBP*")
    assert gbp_orders and all("GBP" in o.symbol for o in gbp_orders)
    [order] = mt5.orders_get(ticket=placed.order)
    assert order.type == mt5.ORDER_TYPE_BUY_LIMIT and order.state == mt5.ORDER_STATE_PLACED
    removed = mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": placed.order})
    assert removed.retcode == mt5.TRADE_RETCODE_DONE, removed
    assert not mt5.orders_get(ticket=placed.order)
