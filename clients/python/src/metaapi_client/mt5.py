"""The MetaTrader5 package's calls over the local gateway, so existing MT5 Python scripts run on any OS.

Install the `MetaTrader5` shim (clients/python/metatrader5) and keep `import MetaTrader5 as mt5`, or import this
module directly with `from metaapi_client import mt5`. Give `initialize` the gateway's address and the terminal's
auth token, or set METAAPI_GATEWAY_URL and METAAPI_TOKEN:

    import MetaTrader5 as mt5
    mt5.initialize()                      # METAAPI_TOKEN=mat_... in the environment
    print(mt5.account_info().equity)
    rates = mt5.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_H1, 0, 100)

Like the original, calls return None (or False) on failure and `last_error()` tells why; the exported calls are
not bound as methods (like the package's C functions); times are seconds (or milliseconds in *_msc) on the trade
server's clock, as the package gives them. Differences worth knowing: `login` and `password` are never sent
anywhere (the token is the credential, and `login` must be the terminal's own account); tickets are ints when the
gateway's ticket strings are numeric; `symbol_info` fills what the gateway carries and leaves session statistics
and option fields at 0; `copy_rates_*` and `copy_ticks_*` need numpy.

This module is the interface; the code lives beside it: `_mt5_constants` (the package's constants), `_mt5_records`
(its named tuples and enum tables), `_mt5_session` (the connection, `last_error`, terminal and account),
`_mt5_market` (symbols, ticks, bars, depth of market) and `_mt5_trading` (positions, orders, history, order_send).
"""

from __future__ import annotations

# Imported here before the calls moved to the modules below, so reachable as mt5.<name>; kept so nothing breaks.
import fnmatch  # noqa: F401
import os  # noqa: F401
from datetime import datetime, timezone  # noqa: F401
from typing import Any  # noqa: F401

from . import models as m  # noqa: F401
from . import _mt5_constants
from ._mt5_constants import *  # noqa: F403 (the MetaTrader5 package exposes its constants at the top level)
from ._mt5_constants import __author__, __version__  # noqa: F401 (star imports skip dunder names)
from ._mt5_market import (  # noqa: F401 (re-exported: this module is the interface)
    RATES_DTYPE, TICKS_DTYPE, copy_rates_from, copy_rates_from_pos, copy_rates_range, copy_ticks_from,
    copy_ticks_range, market_book_add, market_book_get, market_book_release, symbol_info, symbol_info_tick,
    symbol_select, symbols_get, symbols_total,
)
from ._mt5_records import (  # noqa: F401 (the records are part of the module's interface)
    AccountInfo, TerminalInfo, SymbolInfo, Tick, TradePosition, TradeOrder,
    TradeDeal, OrderSendResult, OrderCheckResult, TradeRequest, BookInfo,
)
from ._mt5_session import (  # noqa: F401 (re-exported: this module is the interface)
    DEFAULT_URL, _exported, account_info, initialize, last_error, login, shutdown, terminal_info, version,
)
from ._mt5_trading import (  # noqa: F401 (re-exported: this module is the interface)
    Buy, Close, Sell, _RawOrder, history_deals_get, history_deals_total, history_orders_get, history_orders_total, order_calc_margin,
    order_calc_profit, order_check, order_send, orders_get, orders_total, positions_get, positions_total,
)
from .client import Client  # noqa: F401
from .errors import (  # noqa: F401
    InvalidParams, MetaApiError, NotExecuted, NotFound, TradeRejected, TransportError, Unauthorized, Unsupported,
)

# The package's calls, each exported as a non-binding callable (see _mt5_session._Function).
FUNCTIONS = (
    "initialize", "login", "shutdown", "version", "last_error", "terminal_info", "account_info", "symbols_total",
    "symbols_get", "symbol_info", "symbol_info_tick", "symbol_select", "market_book_add", "market_book_get",
    "market_book_release", "copy_rates_from", "copy_rates_from_pos", "copy_rates_range", "copy_ticks_from",
    "copy_ticks_range", "orders_total", "orders_get", "order_calc_margin", "order_calc_profit", "order_check",
    "order_send", "positions_total", "positions_get", "history_orders_total", "history_orders_get",
    "history_deals_total", "history_deals_get", "_RawOrder", "Buy", "Sell", "Close",
)
for _name in FUNCTIONS:
    globals()[_name] = _exported(globals()[_name])
del _name

RECORDS = ("AccountInfo", "TerminalInfo", "SymbolInfo", "Tick", "TradePosition", "TradeOrder", "TradeDeal",
           "OrderSendResult", "OrderCheckResult", "TradeRequest", "BookInfo")

# What `from metaapi_client.mt5 import *` (and so the MetaTrader5 shim) exports: the package's names only.
__all__ = [
    "__version__", "__author__", *FUNCTIONS, *RECORDS,
    *(name for name in vars(_mt5_constants) if name.isupper()),
]
