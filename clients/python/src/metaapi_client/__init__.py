"""Python client for the MetaAPI local gateway: JSON-RPC over `/rpc`, subscriptions over `/ws`.

>>> from metaapi_client import Client
>>> with Client("http://127.0.0.1:6000", "mat_your_token") as client:  # doctest: +SKIP
...     print(client.get_account_info().equity)

The models in `metaapi_client.models` and the typed methods are generated from the protocol's JSON Schema
(`python scripts/generate.py`); `metaapi_client.mt5` offers the familiar MetaTrader5 package calls over the gateway.
"""

from . import models
from ._methods import METHODS, NOTIFICATIONS, MethodSpec
from .client import AsyncClient, Client, RetryPolicy, new_client_id
from .errors import (
    ClientIdConflict,
    DecodeError,
    GatewayError,
    InvalidParams,
    MetaApiError,
    NotExecuted,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    TerminalOffline,
    TradeRejected,
    TransportError,
    Unauthorized,
    Unsupported,
    error_from_object,
)
from .stream import Disconnected, Event, EventStream, Gap, Reconnected, Resynced, StreamItem

__all__ = [
    "METHODS", "NOTIFICATIONS", "AsyncClient", "Client", "ClientIdConflict", "DecodeError", "Disconnected", "Event",
    "EventStream", "Gap", "GatewayError", "InvalidParams", "MetaApiError", "MethodSpec", "NotExecuted", "NotFound",
    "OutcomeUnknown", "RateLimited", "Reconnected", "Resynced", "RetryPolicy", "StreamItem", "TerminalOffline",
    "TradeRejected", "TransportError", "Unauthorized", "Unsupported", "error_from_object", "models", "new_client_id",
]
