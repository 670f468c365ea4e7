"""A popular pure-Python library built on the MetaTrader5 package, pymt5adapter (pinned in requirements-compat.txt),
through its basic flow against the live demo, with our `MetaTrader5` shim underneath: connect, account, tick, rates,
a market order, positions, close. The library stores the package's functions as module attributes and wraps them
with functools.wraps, and checks last_error() after every call (raise_on_errors), so it exercises the module's
signatures, records and error reporting as its users do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Demo

import MetaTrader5 as mt5

mta = pytest.importorskip("pymt5adapter", reason="pymt5adapter is installed by clients/test.sh")
from pymt5adapter.order import Order  # noqa: E402 (after the import check above)
from pymt5adapter.symbol import Symbol  # noqa: E402


@pytest.fixture
def session(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("METAAPI_GATEWAY_URL", demo.url)
    monkeypatch.setenv("METAAPI_TOKEN", demo.token)
    with mta.connected(raise_on_errors=True, ensure_trade_enabled=True) as connection:
        yield connection


def test_the_library_reports_the_module_it_wraps() -> None:
    assert mta.__version__["MetaTrader5"] == mt5.__version__
    assert mta.__author__["MetaTrader5"] == mt5.__author__


def test_basic_flow(session: object) -> None:
    account = mta.account_info()
    assert account.login > 0 and account.balance > 0 and account.trade_mode == mt5.ACCOUNT_TRADE_MODE_DEMO

    tick = mta.symbol_info_tick("EURUSD")
    assert tick.ask >= tick.bid > 0
    rates = mta.copy_rates_from_pos("EURUSD", mta.TIMEFRAME.M1, 0, 100)
    assert len(rates) == 100 and rates["close"][-1] > 0
    symbol = Symbol("EURUSD")
    assert symbol.point > 0 and symbol.tick.ask > 0

    opened = Order.as_buy(symbol="EURUSD", volume=0.01, price=tick.ask, magic=171717,
                              comment="pymt5adapter").send()
    assert opened.retcode == mt5.TRADE_RETCODE_DONE, opened
    positions = mta.positions_get(symbol="EURUSD", function=lambda p: p.magic == 171717)
    [position] = [p for p in positions if p.ticket == opened.order]
    assert position.volume == 0.01 and position.type == mt5.POSITION_TYPE_BUY

    closed = Order.as_flatten(position, price=mta.symbol_info_tick("EURUSD").bid).send()
    assert closed.retcode == mt5.TRADE_RETCODE_DONE, closed
    assert not mta.positions_get(ticket=position.ticket)


def test_the_library_raises_the_module_s_errors(session: object) -> None:
    with pytest.raises(mta.MT5Error) as raised:
        mta.symbol_info("NO_SUCH_SYMBOL")
    assert raised.value.error_code == mta.ERROR_CODE.NOT_FOUND


def test_the_package_helpers_buy_and_close(session: object) -> None:
    # The package's own Buy/Close helpers, which the library re-exports.
    bought = mta.Buy("EURUSD", 0.01, comment="helper")
    assert bought.retcode == mt5.TRADE_RETCODE_DONE, bought
    assert mt5.Close("EURUSD", ticket=bought.order) is True
    assert not mt5.positions_get(ticket=bought.order)
