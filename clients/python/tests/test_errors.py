"""Error objects map to exceptions by `error.data.kind`."""

from __future__ import annotations

import pytest
from conftest import SCHEMA

import metaapi_client as mc

CASES = [
    ("token_expired", -32001, mc.Unauthorized),
    ("token_unknown", -32001, mc.Unauthorized),
    ("device_revoked", -32001, mc.Unauthorized),
    ("account_disabled", -32001, mc.Unauthorized),
    ("terminal_offline", -32002, mc.TerminalOffline),
    ("not_executed", -32003, mc.NotExecuted),
    ("outcome_unknown", -32004, mc.OutcomeUnknown),
    ("trade_rejected", -32005, mc.TradeRejected),
    ("unsupported", -32006, mc.Unsupported),
    ("rate_limited", -32007, mc.RateLimited),
    ("invalid_params", -32602, mc.InvalidParams),
    ("not_found", -32010, mc.NotFound),
    ("client_id_conflict", -32011, mc.ClientIdConflict),
    ("overloaded", -32008, mc.GatewayError),
    ("something_newer", -32099, mc.GatewayError),
]


@pytest.mark.parametrize(("kind", "code", "cls"), CASES)
def test_each_kind_maps_to_its_exception(kind: str, code: int, cls: type) -> None:
    error = mc.error_from_object({"code": code, "message": "m", "data": {"kind": kind, "retryable": False}})
    assert type(error) is cls and error.kind == kind and error.code == code


def test_every_unauthorized_kind_of_the_schema_is_unauthorized() -> None:
    kinds = SCHEMA["$defs"]["ErrorKind"]
    names = kinds.get("enum") or [entry["const"] for entry in kinds["oneOf"]]
    for reason in ["token_missing", "token_unknown", "token_expired", "token_revoked", "token_replaced",
                   "device_pending", "device_revoked", "account_expired", "account_disabled"]:
        assert reason in names
        assert isinstance(mc.error_from_object({"code": -32001, "message": "", "data": {"kind": reason}}),
                          mc.Unauthorized)


def test_details_are_read_from_data() -> None:
    rejected = mc.error_from_object({"code": -32005, "message": "Invalid volume", "data": {
        "kind": "trade_rejected", "retryable": False, "retcode": 10014, "retcode_name": "TRADE_RETCODE_INVALID_VOLUME",
        "client_id": "abc"}})
    assert isinstance(rejected, mc.TradeRejected)
    assert (rejected.retcode, rejected.retcode_name, rejected.client_id) == (10014, "TRADE_RETCODE_INVALID_VOLUME", "abc")
    limited = mc.error_from_object({"code": -32007, "message": "", "data": {"kind": "rate_limited", "retryable": True,
                                                                           "retry_after_ms": 250}})
    assert isinstance(limited, mc.RateLimited) and limited.retry_after_ms == 250 and limited.retryable
    unsupported = mc.error_from_object({"code": -32006, "message": "", "data": {"kind": "unsupported",
                                                                                "retryable": False, "platform": "mt4"}})
    assert isinstance(unsupported, mc.Unsupported) and unsupported.platform == "mt4"
    invalid = mc.error_from_object({"code": -32602, "message": "", "data": {"kind": "invalid_params",
                                                                            "retryable": False, "field": "volume"}})
    assert isinstance(invalid, mc.InvalidParams) and invalid.field == "volume"


def test_an_error_without_data_keeps_its_code() -> None:
    error = mc.error_from_object({"code": -32601, "message": "Method not found"})
    assert type(error) is mc.GatewayError and error.kind == "unknown" and not error.retryable
    assert isinstance(mc.error_from_object({"code": -32001, "message": "Unauthorized"}), mc.Unauthorized)


def test_a_malformed_error_object_is_a_decode_error() -> None:
    with pytest.raises(mc.DecodeError):
        mc.error_from_object({"message": "no code"})
    with pytest.raises(mc.DecodeError):
        mc.error_from_object("boom")
