"""Generated code: fresh against the schema, a wrapper for every method, models that accept the wire examples."""

from __future__ import annotations

import ast
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
PACKAGE = CLIENT / "src" / "metaapi_client"


def load_generator():
    """scripts/generate.py as a module (registered, so its dataclasses can find their module)."""
    if "generate" in sys.modules:
        return sys.modules["generate"]
    spec = importlib.util.spec_from_file_location("generate", CLIENT / "scripts" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generator's output for today's schema, in a temp dir: {path relative to the package: file}."""
    out = tmp_path_factory.mktemp("generated")
    return {path.relative_to(out).as_posix(): path for path in load_generator().generate(out)}


def committed_generated_files() -> set[str]:
    """The package's files that carry the generator's header, relative to the package."""
    header = load_generator().HEADER
    found = set()
    for path in PACKAGE.rglob("*.py"):
        with path.open() as file:
            if file.readline() == header:
                found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_the_committed_generated_code_is_fresh(fresh: dict[str, Path]) -> None:
    hint = "run `python clients/python/scripts/generate.py` and commit the result"
    missing = sorted(name for name in fresh if not (PACKAGE / name).is_file())
    assert not missing, f"{missing} are not committed: {hint}"
    stale = sorted(name for name, path in fresh.items() if not filecmp.cmp(path, PACKAGE / name, shallow=False))
    assert not stale, f"{stale} are stale: {hint}"
    leftover = sorted(committed_generated_files() - set(fresh))
    assert not leftover, f"{leftover} are generated files the generator no longer writes: {hint}"


def test_every_generated_file_is_under_the_module_size_limit(fresh: dict[str, Path]) -> None:
    limit = load_generator().MAX_LINES
    assert {"models/__init__.py", "_methods/__init__.py"} <= set(fresh)
    too_long = {name: count for name, path in fresh.items() if (count := len(path.read_text().splitlines())) > limit}
    assert not too_long, f"split these further (MODEL_MODULES in scripts/generate.py): {too_long}"


def test_the_models_package_exports_every_class_the_single_module_had() -> None:
    generator = load_generator()
    single = ast.parse(generator.run_codegen(generator.SCHEMA))
    classes = {node.name for node in single.body if isinstance(node, ast.ClassDef)}
    assert set(SCHEMA["$defs"]) <= classes
    assert sorted(m.__all__) == sorted(classes)
    for name in classes:
        model = getattr(m, name)
        assert inspect.isclass(model) and model.__module__.startswith("metaapi_client.models."), name
    from metaapi_client.models import PlaceOrderParams, Quote  # noqa: F401  (the import the README shows)


def test_the_methods_package_keeps_what_the_client_modules_import() -> None:
    from metaapi_client import _methods

    assert set(_methods.__all__) == {"METHODS", "NOTIFICATIONS", "MethodSpec", "SyncMethods", "AsyncMethods",
                                     "StreamMethods"}
    assert mc.METHODS is _methods.METHODS and mc.MethodSpec is _methods.MethodSpec


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
