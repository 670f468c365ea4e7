"""The typed edge every transport shares: a method's params validated into their wire form, and its result decoded.

`client.py` (`POST /rpc`) and `stream.py` (`/ws`) both use it, so neither imports the other for it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pydantic

from ._methods import MethodSpec
from .errors import DecodeError


def new_client_id() -> str:
    """A fresh idempotency key for a trading call (32 hex characters)."""
    return uuid.uuid4().hex


def prepare_params(spec: MethodSpec, params: Any) -> dict[str, Any]:
    """Validates params against the method's model and returns the wire form.

    Trading calls without a `client_id` get a fresh one here, once, so that every retry sends the same id.
    """
    if params is None:
        params = {}
    if isinstance(params, pydantic.BaseModel):
        params = params.model_dump(by_alias=True, exclude_none=True)
    if not isinstance(params, dict):
        raise TypeError(f"params of {spec.name} must be a dict or a {spec.params.__name__}, not {type(params)}")
    given = {key: value for key, value in params.items() if value is not None}
    if spec.trading and not given.get("client_id"):
        given["client_id"] = new_client_id()
    model = spec.params.model_validate(given)
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def decode_result(spec: MethodSpec, value: Any) -> Any:
    try:
        return spec.result.model_validate(value)
    except pydantic.ValidationError as error:
        raise DecodeError(f"{spec.name}: the answer does not match {spec.result.__name__}: {error}") from error
