"""The MetaTrader5 compatibility module: MT5 arguments become the right gateway calls, answers become MT5 records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pytest
from conftest import EXAMPLES, FakeGateway, error, result

from metaapi_client import mt5


def by_method(request: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"jsonrpc": "2.0", "id": request["id"], "result": EXAMPLES["methods"][request["method"]]["result"]}


@pytest.fixture
def gateway(fake_gateway: FakeGateway) -> Iterator[FakeGateway]:
    fake_gateway.default = by_method
    assert mt5.initialize(url=fake_gateway.url, token="mat_t")
    fake_gateway.requests.clear()
    yield fake_gateway
    mt5.shutdown()


def sent(gateway: FakeGateway) -> list[tuple[str, dict[str, Any]]]:
    return [(r["method"], r["params"]) for r in gateway.requests]


def test_calls_before_initialize_fail_like_mt5() -> None:
    mt5.shutdown()
    assert mt5.account_info() is None
    assert mt5.last_error() == (mt5.RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")


def test_initialize_needs_a_token_and_reports_auth_failures(fake_gateway: FakeGateway, monkeypatch: Any) -> None:
    monkeypatch.delenv("METAAPI_TOKEN", raising=False)
    assert mt5.initialize(url=fake_gateway.url) is False
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS
    fake_gateway.default = error("token_expired", -32001, "Unauthorized", status=401)
    monkeypatch.setenv("METAAPI_TOKEN", "mat_env")
    assert mt5.initialize(url=fake_gateway.url) is False
    assert mt5.last_error()[0] == mt5.RES_E_AUTH_FAILED and "token_expired" in mt5.last_error()[1]
    assert fake_gateway.headers[-1]["authorization"] == "Bearer mat_env"


def test_initialize_checks_the_login(fake_gateway: FakeGateway) -> None:
    fake_gateway.default = by_method
    assert mt5.initialize(url=fake_gateway.url, token="t", login=5032108471, password="never sent")
    assert all("never sent" not in str(r) for r in fake_gateway.requests)
    assert mt5.initialize(url=fake_gateway.url, token="t", login=1) is False
    assert mt5.last_error()[0] == mt5.RES_E_AUTH_FAILED


def test_account_info_has_the_mt5_fields(gateway: FakeGateway) -> None:
    account = mt5.account_info()
    assert account.login == 5032108471 and account.margin_free == 9770.58 and account.equity == 9987.6
    assert account.trade_mode == mt5.ACCOUNT_TRADE_MODE_DEMO
    assert account.margin_mode == mt5.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING
    assert account.margin_so_mode == mt5.ACCOUNT_STOPOUT_MODE_PERCENT
    assert account._asdict()["currency"] == "USD"
    assert mt5.last_error() == (mt5.RES_S_OK, "Success")


def test_symbol_info_tick_and_symbol_info(gateway: FakeGateway) -> None:
    tick = mt5.symbol_info_tick("EURUSD")
    # Times are on the trade server's clock (the example server is UTC+3), as in the MetaTrader5 package.
    assert (tick.bid, tick.ask, tick.time, tick.time_msc) == (1.08512, 1.08518, 1718099535 + 10800,
                                                              1718099535123 + 10800_000)
    info = mt5.symbol_info("EURUSD")
    assert info.name == "EURUSD" and info.digits == 5 and info.point == 1e-05 and info.volume_step == 0.01
    assert info.filling_mode == mt5.SYMBOL_FILLING_FOK | mt5.SYMBOL_FILLING_IOC
    assert info.trade_mode == mt5.SYMBOL_TRADE_MODE_FULL and info.bid == 1.08512 and info.select
    assert info.swap_rollover3days == mt5.DAY_OF_WEEK_WEDNESDAY


def test_copy_rates_from_pos_asks_for_enough_bars_and_drops_the_newest(gateway: FakeGateway) -> None:
    rates = mt5.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_H1, 1, 1)
    assert sent(gateway) == [("get_candles", {"symbol": "EURUSD", "timeframe": "h1", "count": 2})]
    assert rates.dtype.names == ("time", "open", "high", "low", "close", "tick_volume", "spread", "real_volume")
    assert len(rates) == 1 and rates[0]["time"] == 1718092800 + 10800 and rates["close"][0] == 1.08502


# The example trade server runs at UTC+3: the package's times are on its clock, the gateway's are UTC.
SERVER_MS = 10800_000


def test_copy_rates_from_and_range_send_utc_milliseconds(gateway: FakeGateway) -> None:
    when = datetime(2024, 6, 11, 10, 0, tzinfo=timezone.utc)
    mt5.copy_rates_from("EURUSD", mt5.TIMEFRAME_H1, when, 2)
    method, params = sent(gateway)[0]
    assert method == "get_candles" and params["to"] == 1718100000000 - SERVER_MS
    assert params["from"] == 1718100000000 - SERVER_MS - 2 * 3600 * 1000
    gateway.requests.clear()
    mt5.copy_rates_range("EURUSD", mt5.TIMEFRAME_M5, datetime(2024, 6, 11), 1718100000)
    assert sent(gateway) == [("get_candles", {"symbol": "EURUSD", "timeframe": "m5",
                                              "from": 1718064000000 - SERVER_MS, "to": 1718100000000 - SERVER_MS})]


def test_copy_ticks_maps_flags_to_the_tick_kind(gateway: FakeGateway) -> None:
    ticks = mt5.copy_ticks_from("EURUSD", 1718099534, 2, mt5.COPY_TICKS_TRADE)
    assert sent(gateway) == [("get_ticks", {"symbol": "EURUSD", "from": 1718099534000 - SERVER_MS, "count": 2,
                                            "kind": "trade"})]
    assert isinstance(ticks, np.ndarray) and ticks["time_msc"][1] == 1718099535123 + SERVER_MS


def test_bad_arguments_give_none_and_invalid_params(gateway: FakeGateway) -> None:
    assert mt5.copy_rates_from_pos("EURUSD", 12345, 0, 10) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS
    assert mt5.copy_rates_range("EURUSD", mt5.TIMEFRAME_M1, "yesterday", "today") is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS
    assert gateway.requests == []


def test_positions_get_filters_by_group_and_converts_tickets(gateway: FakeGateway) -> None:
    positions = mt5.positions_get(group="*USD*,!GBP*")
    assert sent(gateway) == [("get_positions", {"offset": 0, "limit": 10000})]
    [p] = positions
    assert p.ticket == 1409873311 and p.type == mt5.POSITION_TYPE_BUY and p.reason == mt5.POSITION_REASON_EXPERT
    assert (p.time, p.time_msc, p.sl, p.magic) == (1718088702 + 10800, 1718088702250 + SERVER_MS, 1.0801, 20240611)
    assert mt5.positions_get(group="!EUR*") == ()
    gateway.requests.clear()
    mt5.positions_get(ticket=1409873311)
    assert sent(gateway) == [("get_position", {"ticket": "1409873311"})]
    assert mt5.positions_total() == 1


def test_orders_and_history(gateway: FakeGateway) -> None:
    [order] = mt5.orders_get(symbol="XAUUSD")
    assert order.type == mt5.ORDER_TYPE_BUY_LIMIT and order.state == mt5.ORDER_STATE_PLACED
    assert order.type_filling == mt5.ORDER_FILLING_RETURN and order.type_time == mt5.ORDER_TIME_GTC
    gateway.requests.clear()
    [done] = mt5.history_orders_get(datetime(2024, 6, 1, tzinfo=timezone.utc), 1718099535)
    assert done.state == mt5.ORDER_STATE_FILLED and done.position_id == 1409873311
    assert sent(gateway) == [("get_history_orders", {"from": 1717200000000 - SERVER_MS,
                                                     "to": 1718099535000 - SERVER_MS, "limit": 10000, "offset": 0})]
    gateway.requests.clear()
    [deal] = mt5.history_deals_get(position=1409873311)
    assert sent(gateway) == [("get_history_deals", {"position_id": "1409873311", "limit": 10000, "offset": 0})]
    assert deal.entry == mt5.DEAL_ENTRY_IN and deal.type == mt5.DEAL_TYPE_BUY and deal.order == 1409873311


def test_every_deal_type_and_close_by_orders_read_as_mt5_codes(gateway: FakeGateway) -> None:
    names = ["buy", "sell", "balance", "credit", "charge", "correction", "bonus", "commission", "commission_daily",
             "commission_monthly", "commission_agent_daily", "commission_agent_monthly", "interest", "buy_canceled",
             "sell_canceled", "dividend", "dividend_franked", "tax"]
    example = EXAMPLES["methods"]["get_history_deals"]["result"]["deals"][0]
    deals = [dict(example, ticket=str(100 + i), type=name) for i, name in enumerate(names)]
    gateway.reply_next(result({"deals": deals, "has_more": False}))
    read = mt5.history_deals_get(position=1409873311)
    assert [deal.type for deal in read] == list(range(18))
    assert read[17].type == mt5.DEAL_TAX and read[12].type == mt5.DEAL_TYPE_INTEREST
    order = dict(EXAMPLES["methods"]["get_history_orders"]["result"]["orders"][0], type="close_by",
                 position_id="1409873311", position_by="1409873322")
    gateway.reply_next(result({"orders": [order], "has_more": False}))
    [done] = mt5.history_orders_get(position=1409873311)
    assert done.type == mt5.ORDER_TYPE_CLOSE_BY and done.position_by_id == 1409873322


def test_order_send_market_deal(gateway: FakeGateway) -> None:
    result = mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.2,
                             "type": mt5.ORDER_TYPE_BUY, "price": 1.08574, "sl": 1.0801, "tp": 0.0,
                             "deviation": 10, "magic": 20240611, "comment": "grid-1",
                             "type_time": mt5.ORDER_TIME_GTC, "type_filling": mt5.ORDER_FILLING_IOC})
    [(method, params)] = sent(gateway)
    assert method == "place_order"
    client_id = params.pop("client_id")
    assert 1 <= len(client_id) <= 64
    assert params == {"symbol": "EURUSD", "type": "buy", "volume": 0.2, "price": 1.08574, "sl": 1.0801,
                      "deviation_points": 10, "filling": "ioc", "time_in_force": "gtc", "magic": 20240611,
                      "comment": "grid-1"}
    assert result.retcode == mt5.TRADE_RETCODE_DONE and result.order == 1409873311 and result.deal == 1287453390
    assert result.request.symbol == "EURUSD" and result.request.action == mt5.TRADE_ACTION_DEAL


def test_order_send_maps_every_action(gateway: FakeGateway) -> None:
    mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "position": 1409873311, "volume": 0.1, "symbol": "EURUSD",
                    "type": mt5.ORDER_TYPE_SELL})
    mt5.order_send({"action": mt5.TRADE_ACTION_PENDING, "symbol": "XAUUSD", "volume": 0.1, "price": 2295.0,
                    "type": mt5.ORDER_TYPE_BUY_LIMIT, "type_time": mt5.ORDER_TIME_SPECIFIED,
                    "expiration": 1718200000})
    mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "position": 1409873311, "sl": 1.0825, "tp": 1.0921})
    mt5.order_send({"action": mt5.TRADE_ACTION_MODIFY, "order": 1409875120, "price": 2298.5, "sl": 2283.5})
    mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": 1409875120})
    mt5.order_send({"action": mt5.TRADE_ACTION_CLOSE_BY, "position": 1409873311, "position_by": 1409873502})
    calls = [(method, {k: v for k, v in params.items() if k != "client_id"}) for method, params in sent(gateway)]
    assert calls == [
        ("close_position", {"ticket": "1409873311", "volume": 0.1}),
        ("place_order", {"symbol": "XAUUSD", "type": "buy_limit", "volume": 0.1, "price": 2295.0,
                         "time_in_force": "specified", "expiration": 1718200000000 - SERVER_MS, "filling": "auto"}),
        ("modify_position", {"ticket": "1409873311", "sl": 1.0825, "tp": 1.0921}),
        ("modify_order", {"ticket": "1409875120", "price": 2298.5, "sl": 2283.5, "tp": 0.0}),
        ("cancel_order", {"ticket": "1409875120"}),
        ("close_position_by", {"ticket": "1409873311", "opposite_ticket": "1409873502"}),
    ]
    assert all("client_id" in params for _, params in sent(gateway))


def test_order_send_reports_a_rejection_as_a_result_with_its_retcode(gateway: FakeGateway) -> None:
    gateway.default = error("trade_rejected", -32005, "No money", retcode=10019,
                            retcode_name="TRADE_RETCODE_NO_MONEY")
    result = mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 100.0,
                             "type": mt5.ORDER_TYPE_BUY})
    assert result.retcode == mt5.TRADE_RETCODE_NO_MONEY and result.comment == "No money"


def test_order_send_retries_with_one_client_id_and_gives_none_when_the_outcome_stays_unknown(
        gateway: FakeGateway) -> None:
    gateway.default = error("outcome_unknown", -32004, "Outcome unknown")
    assert mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.1,
                           "type": mt5.ORDER_TYPE_SELL}) is None
    assert len({params["client_id"] for _, params in sent(gateway)}) == 1 and len(gateway.requests) == 3
    assert mt5.last_error()[0] == mt5.RES_E_FAIL


def test_order_send_refuses_bad_requests_without_sending(gateway: FakeGateway) -> None:
    assert mt5.order_send({"action": 99}) is None
    assert mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.1,
                           "type": mt5.ORDER_TYPE_BUY_LIMIT}) is None
    assert mt5.order_send({"action": mt5.TRADE_ACTION_PENDING, "symbol": "EURUSD", "volume": 0.1,
                           "type": mt5.ORDER_TYPE_BUY}) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS and gateway.requests == []


def test_order_check_and_calculations(gateway: FakeGateway) -> None:
    check = mt5.order_check({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.1,
                             "type": mt5.ORDER_TYPE_BUY, "sl": 1.0801})
    assert check.margin_free == 9662.03 and check.request.volume == 0.1
    assert sent(gateway)[0] == ("check_order", {"symbol": "EURUSD", "type": "buy", "volume": 0.1, "sl": 1.0801,
                                                "filling": "auto", "time_in_force": "gtc"})
    assert mt5.order_calc_margin(mt5.ORDER_TYPE_BUY, "EURUSD", 1.0, 1.08518) == 1085.18
    assert mt5.order_calc_profit(mt5.ORDER_TYPE_SELL, "XAUUSD", 0.5, 2320.1, 2312.74) == 368.0
    assert sent(gateway)[1] == ("calc_margin", {"symbol": "EURUSD", "side": "buy", "volume": 1.0,
                                                "price": 1.08518})
    assert sent(gateway)[2][1]["side"] == "sell"


def test_unsupported_and_not_found_map_to_mt5_codes(gateway: FakeGateway) -> None:
    gateway.default = error("unsupported", -32006, "No tick history on MT4", platform="mt4")
    assert mt5.copy_ticks_range("EURUSD", 0, 10, mt5.COPY_TICKS_ALL) is None
    assert mt5.last_error()[0] == mt5.RES_E_UNSUPPORTED
    gateway.default = error("not_found", -32010, "No such symbol")
    assert mt5.symbol_info_tick("NOPE") is None
    assert mt5.last_error()[0] == mt5.RES_E_NOT_FOUND


def test_market_book(gateway: FakeGateway) -> None:
    assert mt5.market_book_get("EURUSD") is None
    assert mt5.market_book_add("EURUSD")
    book = mt5.market_book_get("EURUSD")
    assert book[0].type == mt5.BOOK_TYPE_SELL and book[2].type == mt5.BOOK_TYPE_BUY and book[3].volume_dbl == 7.5
    assert mt5.market_book_release("EURUSD") and not mt5.market_book_release("EURUSD")


def test_a_successful_mt4_order_send_reads_as_done(gateway: FakeGateway) -> None:
    # MT4 reports success as retcode 0; scripts written for MT5 compare with TRADE_RETCODE_DONE.
    mt4 = dict(EXAMPLES["methods"]["place_order"]["result"], retcode=0, retcode_name="ERR_NO_ERROR", platform="mt4")
    gateway.reply_next(result(mt4))
    sent_result = mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.1,
                                  "type": mt5.ORDER_TYPE_BUY})
    assert sent_result.retcode == mt5.TRADE_RETCODE_DONE and sent_result.order == 1409873311


def test_netting_sltp_by_symbol_finds_the_symbol_s_position(gateway: FakeGateway) -> None:
    result_ = mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "symbol": "EURUSD", "sl": 1.0825, "tp": 1.0921})
    assert result_.retcode == mt5.TRADE_RETCODE_DONE
    calls = [(method, {k: v for k, v in params.items() if k != "client_id"}) for method, params in sent(gateway)]
    assert calls == [("get_positions", {"symbol": "EURUSD", "offset": 0, "limit": 10000}),
                     ("modify_position", {"ticket": "1409873311", "sl": 1.0825, "tp": 1.0921})]


def test_sltp_by_symbol_without_exactly_one_position_is_refused(gateway: FakeGateway) -> None:
    gateway.reply_next(result({"positions": []}))
    assert mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "symbol": "EURUSD", "sl": 1.08}) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS and "found 0" in mt5.last_error()[1]
    assert mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "sl": 1.08}) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS
    assert [method for method, _ in sent(gateway)] == ["get_positions"]


def test_history_deals_by_ticket_means_the_order_s_deals(gateway: FakeGateway) -> None:
    deals = mt5.history_deals_get(ticket=1409873311)
    assert [(method, params.get("ticket"), params.get("position_id")) for method, params in sent(gateway)] == [
        ("get_history_orders", "1409873311", None), ("get_history_deals", None, "1409873311")]
    assert deals and all(deal.order == 1409873311 for deal in deals)
    gateway.requests.clear()
    assert mt5.history_deals_get(ticket=1) == ()


def test_a_ticket_that_is_not_open_gives_an_empty_tuple(gateway: FakeGateway) -> None:
    gateway.default = error("not_found", -32010, "No position with ticket 5")
    assert mt5.positions_get(ticket=5) == () and mt5.orders_get(ticket=5) == ()
    assert mt5.last_error() == (mt5.RES_S_OK, "Success")
    gateway.default = error("terminal_offline", -32002, "Terminal offline")
    assert mt5.positions_get(ticket=5) is None and mt5.last_error()[0] != mt5.RES_S_OK


def test_symbols_get_fills_each_symbol_s_spec_and_prices(gateway: FakeGateway) -> None:
    symbols = mt5.symbols_get()
    assert symbols and all(s.point > 0 and s.volume_min > 0 and s.trade_contract_size > 0 for s in symbols)
    assert symbols[0].bid > 0 and symbols[0].ask > 0
    info = mt5.symbol_info("EURUSD")
    # SYMBOL_ORDER_MODE flags: market 1, limit 2, stop 4, stop limit 8, SL 16, TP 32, close by 64.
    assert info.order_mode == 1 | 2 | 4 | 8 | 16 | 32 | 64
    assert info.trade_tick_value_loss == info.trade_tick_value_profit == info.trade_tick_value
