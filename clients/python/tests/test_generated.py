"""Generated code: fresh against the schema, a wrapper for every method, models that accept the wire examples."""

from __future__ import annotations

import filecmp
import importlib.util
import inspect
import sys
from pathlib import Path

import pydantic
import pytest
from conftest import EXAMPLES, SCHEMA

import metaapi_client as mc
from metaapi_client import models as m
from metaapi_client._methods import AsyncMethods, StreamMethods, SyncMethods

CLIENT = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", CLIENT / "scripts" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_generated_code_is_fresh(tmp_path: Path) -> None:
    written = load_generator().generate(tmp_path)
    stale = [path.name for path in written
             if not filecmp.cmp(path, CLIENT / "src" / "metaapi_client" / path.name, shallow=False)]
    assert not stale, f"{stale} are stale: run `python clients/python/scripts/generate.py` and commit the result"


def test_every_registry_method_has_a_typed_wrapper() -> None:
    names = [method["name"] for method in SCHEMA["x-methods"]]
    assert sorted(names) == sorted(mc.METHODS)
    for name in names:
        spec = mc.METHODS[name]
        holders = [StreamMethods] if spec.route == "stream" else [SyncMethods, AsyncMethods]
        for holder in holders:
            wrapper = getattr(holder, name, None)
            assert wrapper is not None, f"{holder.__name__} lacks {name}"
            hints = inspect.get_annotations(wrapper, eval_str=True)
            assert hints["return"] is spec.result
            assert inspect.iscoroutinefunction(wrapper) == (holder is not SyncMethods)
    assert sorted(n["name"] for n in SCHEMA["x-notifications"]) == sorted(mc.NOTIFICATIONS)


def test_wrapper_keywords_are_the_params_model_fields() -> None:
    for name, spec in mc.METHODS.items():
        holder = StreamMethods if spec.route == "stream" else SyncMethods
        keywords = set(inspect.signature(getattr(holder, name)).parameters) - {"self"}
        assert keywords == set(spec.params.model_fields), name


@pytest.mark.parametrize("name", sorted(EXAMPLES["methods"]))
def test_the_models_accept_every_method_example(name: str) -> None:
    spec = mc.METHODS[name]
    example = EXAMPLES["methods"][name]
    params = spec.params.model_validate(example["params"])
    assert params.model_dump(mode="json", by_alias=True, exclude_none=True) == example["params"]
    spec.result.model_validate(example["result"])


@pytest.mark.parametrize("name", sorted(EXAMPLES["notifications"]))
def test_the_models_accept_every_notification_example(name: str) -> None:
    notice = mc.NOTIFICATIONS[name].model_validate(EXAMPLES["notifications"][name]["params"])
    assert notice.seq >= 1


def test_the_models_reject_what_the_gateway_would_reject() -> None:
    with pytest.raises(pydantic.ValidationError):
        m.PlaceOrderParams.model_validate({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "bogus": 1})
    with pytest.raises(pydantic.ValidationError):
        m.PlaceOrderParams.model_validate({"symbol": "EURUSD", "type": "hold", "volume": 0.1})
    with pytest.raises(pydantic.ValidationError):
        m.PlaceOrderParams.model_validate({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "x" * 65})
    stream = m.SubscribeParams.model_validate({"streams": [{"type": "quotes", "symbol": "EURUSD"}, {"type": "account"}]})
    assert [type(s.root).__name__ for s in stream.streams] == ["QuotesStream", "AccountStream"]
