"""The records the MetaTrader5 package returns (as named tuples, with its field names) and the enum tables
that translate the gateway's lowercase strings into MT5's integer constants."""

from collections import namedtuple

AccountInfo = namedtuple("AccountInfo", [
    "login", "trade_mode", "leverage", "limit_orders", "margin_so_mode", "trade_allowed", "trade_expert",
    "margin_mode", "currency_digits", "fifo_close", "balance", "credit", "profit", "equity", "margin", "margin_free",
    "margin_level", "margin_so_call", "margin_so_so", "margin_initial", "margin_maintenance", "assets",
    "liabilities", "commission_blocked", "name", "server", "currency", "company"])
TerminalInfo = namedtuple("TerminalInfo", [
    "community_account", "community_connection", "connected", "dlls_allowed", "trade_allowed",
    "tradeapi_disabled", "email_enabled", "ftp_enabled", "notifications_enabled", "mqid", "build", "maxbars",
    "codepage", "ping_last", "community_balance", "retransmission", "company", "name", "language", "path",
    "data_path", "commondata_path"])
# The package's 96 fields in its order (positional unpacking and _asdict() order depend on it).
SymbolInfo = namedtuple("SymbolInfo", [
    "custom", "chart_mode", "select", "visible", "session_deals", "session_buy_orders", "session_sell_orders",
    "volume", "volumehigh", "volumelow", "time", "digits", "spread", "spread_float", "ticks_bookdepth",
    "trade_calc_mode", "trade_mode", "start_time", "expiration_time", "trade_stops_level", "trade_freeze_level",
    "trade_exemode", "swap_mode", "swap_rollover3days", "margin_hedged_use_leg", "expiration_mode", "filling_mode",
    "order_mode", "order_gtc_mode", "option_mode", "option_right", "bid", "bidhigh", "bidlow", "ask", "askhigh",
    "asklow", "last", "lasthigh", "lastlow", "volume_real", "volumehigh_real", "volumelow_real", "option_strike",
    "point", "trade_tick_value", "trade_tick_value_profit", "trade_tick_value_loss", "trade_tick_size",
    "trade_contract_size", "trade_accrued_interest", "trade_face_value", "trade_liquidity_rate", "volume_min",
    "volume_max", "volume_step", "volume_limit", "swap_long", "swap_short", "margin_initial", "margin_maintenance",
    "session_volume", "session_turnover", "session_interest", "session_buy_orders_volume",
    "session_sell_orders_volume", "session_open", "session_close", "session_aw", "session_price_settlement",
    "session_price_limit_min", "session_price_limit_max", "margin_hedged", "price_change", "price_volatility",
    "price_theoretical", "price_greeks_delta", "price_greeks_theta", "price_greeks_gamma", "price_greeks_vega",
    "price_greeks_rho", "price_greeks_omega", "price_sensitivity", "basis", "category", "currency_base",
    "currency_profit", "currency_margin", "bank", "description", "exchange", "formula", "isin", "name", "page",
    "path"])
# Which SymbolInfo fields are text and which are flags; every other field is a number (0 or 0.0 when unknown).
_SYMBOL_TEXT_FIELDS = frozenset({"basis", "category", "currency_base", "currency_profit", "currency_margin", "bank",
                                 "description", "exchange", "formula", "isin", "name", "page", "path"})
_SYMBOL_FLAG_FIELDS = frozenset({"custom", "select", "visible", "spread_float", "margin_hedged_use_leg"})
_SYMBOL_INT_FIELDS = frozenset({
    "chart_mode", "session_deals", "session_buy_orders", "session_sell_orders", "volume", "volumehigh", "volumelow",
    "time", "digits", "spread", "ticks_bookdepth", "trade_calc_mode", "trade_mode", "start_time", "expiration_time",
    "trade_stops_level", "trade_freeze_level", "trade_exemode", "swap_mode", "swap_rollover3days", "expiration_mode",
    "filling_mode", "order_mode", "order_gtc_mode", "option_mode", "option_right"})
Tick = namedtuple("Tick", ["time", "bid", "ask", "last", "volume", "time_msc", "flags", "volume_real"])
TradePosition = namedtuple("TradePosition", [
    "ticket", "time", "time_msc", "time_update", "time_update_msc", "type", "magic", "identifier", "reason",
    "volume", "price_open", "sl", "tp", "price_current", "swap", "profit", "symbol", "comment", "external_id"])
TradeOrder = namedtuple("TradeOrder", [
    "ticket", "time_setup", "time_setup_msc", "time_done", "time_done_msc", "time_expiration", "type",
    "type_time", "type_filling", "state", "magic", "position_id", "position_by_id", "reason", "volume_initial",
    "volume_current", "price_open", "sl", "tp", "price_current", "price_stoplimit", "symbol", "comment",
    "external_id"])
TradeDeal = namedtuple("TradeDeal", [
    "ticket", "order", "time", "time_msc", "type", "entry", "magic", "position_id", "reason", "volume", "price",
    "commission", "swap", "profit", "fee", "symbol", "comment", "external_id"])
OrderSendResult = namedtuple("OrderSendResult", [
    "retcode", "deal", "order", "volume", "price", "bid", "ask", "comment", "request_id", "retcode_external",
    "request"])
OrderCheckResult = namedtuple("OrderCheckResult", [
    "retcode", "balance", "equity", "profit", "margin", "margin_free", "margin_level", "comment", "request"])
TradeRequest = namedtuple("TradeRequest", [
    "action", "magic", "order", "symbol", "volume", "price", "stoplimit", "sl", "tp", "deviation", "type",
    "type_filling", "type_time", "expiration", "comment", "position", "position_by"])
BookInfo = namedtuple("BookInfo", ["type", "price", "volume", "volume_dbl"])

_TIMEFRAMES = {1: "m1", 2: "m2", 3: "m3", 4: "m4", 5: "m5", 6: "m6", 10: "m10", 12: "m12", 15: "m15", 20: "m20",
               30: "m30", 0x4001: "h1", 0x4002: "h2", 0x4003: "h3", 0x4004: "h4", 0x4006: "h6", 0x4008: "h8",
               0x400C: "h12", 0x4018: "d1", 0x8001: "w1", 0xC001: "mn1"}
_TIMEFRAME_SECONDS = {1: 60, 2: 120, 3: 180, 4: 240, 5: 300, 6: 360, 10: 600, 12: 720, 15: 900, 20: 1200, 30: 1800,
                      0x4001: 3600, 0x4002: 7200, 0x4003: 10800, 0x4004: 14400, 0x4006: 21600, 0x4008: 28800,
                      0x400C: 43200, 0x4018: 86400, 0x8001: 604800, 0xC001: 2678400}
_ORDER_TYPES = ["buy", "sell", "buy_limit", "sell_limit", "buy_stop", "sell_stop", "buy_stop_limit", "sell_stop_limit",
                "close_by"]
_FILLINGS = {0: "fok", 1: "ioc", 2: "return", 3: "boc"}
_TIMES_IN_FORCE = {0: "gtc", 1: "day", 2: "specified", 3: "specified_day"}
_ORDER_STATES = ["started", "placed", "canceled", "partial", "filled", "rejected", "expired"]
_REASONS = {"client": 0, "mobile": 1, "web": 2, "expert": 3, "sl": 4, "tp": 5, "stop_out": 6, "rollover": 7,
            "vmargin": 8, "split": 9}
_DEAL_TYPES = ["buy", "sell", "balance", "credit", "charge", "correction", "bonus", "commission", "commission_daily",
               "commission_monthly", "commission_agent_daily", "commission_agent_monthly", "interest", "buy_canceled",
               "sell_canceled", "dividend", "dividend_franked", "tax"]
_DEAL_ENTRIES = ["in", "out", "inout", "out_by"]
_TRADE_MODES = {"demo": 0, "contest": 1, "real": 2}
_MARGIN_MODES = {"netting": 0, "exchange": 1, "hedging": 2}
_SYMBOL_TRADE_MODES = ["disabled", "long_only", "short_only", "close_only", "full"]
_EXECUTION_MODES = ["request", "instant", "market", "exchange"]
_CALC_MODES = {"forex": 0, "futures": 1, "cfd": 2, "cfd_index": 3, "cfd_leverage": 4, "forex_no_leverage": 5,
               "exchange_stocks": 32}
_WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_BOOK_TYPES = {"sell": 1, "buy": 2, "sell_market": 3, "buy_market": 4}
_TICK_KINDS = {-1: "all", 1: "info", 2: "trade"}
