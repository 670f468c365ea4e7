"""`import MetaTrader5 as mt5` over the MetaAPI local gateway: the MetaTrader5 package's names, from metaapi_client.mt5."""

from metaapi_client.mt5 import *  # noqa: F403 (the package's interface is its top-level names)
from metaapi_client.mt5 import __all__, __author__, __version__  # noqa: F401
