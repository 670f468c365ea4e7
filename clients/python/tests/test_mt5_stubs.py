"""The MetaTrader5 module against `metatrader5-stubs` (typed stubs of MetaQuotes' package, from PyPI): every name,
parameter, default, record field (in order), constant and value the stubs declare, with no exceptions list."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
from pathlib import Path
from typing import Any

import pytest

import MetaTrader5 as mt5


def stub_source() -> ast.Module:
    files = importlib.metadata.files("metatrader5-stubs") or []
    [stub] = [f for f in files if str(f).replace("\\", "/") == "MetaTrader5-stubs/__init__.pyi"]
    return ast.parse(Path(stub.locate()).read_text())


STUB = stub_source()
CONSTANTS = [node for node in STUB.body if isinstance(node, ast.AnnAssign)]
CLASSES = [node for node in STUB.body if isinstance(node, ast.ClassDef)]
FUNCTIONS = [node for node in STUB.body if isinstance(node, ast.FunctionDef)]


def test_the_stubs_declare_what_this_test_compares() -> None:
    # A stubs release that moved its declarations elsewhere would otherwise make every check below vacuous.
    assert len(CONSTANTS) > 200 and len(CLASSES) >= 6 and len(FUNCTIONS) >= 10


@pytest.mark.parametrize("node", CONSTANTS, ids=lambda node: node.target.id)
def test_constant(node: ast.AnnAssign) -> None:
    expected = eval(compile(ast.Expression(node.value), "<stub>", "eval"))  # literals and `1 | 0x4000` only
    assert getattr(mt5, node.target.id) == expected
    assert type(getattr(mt5, node.target.id)) is type(expected)


@pytest.mark.parametrize("node", CLASSES, ids=lambda node: node.name)
def test_record_fields_in_order(node: ast.ClassDef) -> None:
    stub_fields = [item.target.id for item in node.body if isinstance(item, ast.AnnAssign)]
    record = getattr(mt5, node.name)
    assert list(record._fields) == stub_fields


def stub_parameters(node: ast.FunctionDef) -> list[tuple[str, inspect._ParameterKind, Any]]:
    """(name, kind, default) per stub parameter; default is `inspect.Parameter.empty`, `...` (any) or a value."""
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[Any] = [inspect.Parameter.empty] * (len(positional) - len(arguments.defaults))
    defaults += [ast.literal_eval(d) if not isinstance(d, ast.Constant) or d.value is not ... else ...
                 for d in arguments.defaults]
    found = []
    for index, argument in enumerate(positional):
        kind = (inspect.Parameter.POSITIONAL_ONLY if index < len(arguments.posonlyargs)
                else inspect.Parameter.POSITIONAL_OR_KEYWORD)
        found.append((argument.arg, kind, defaults[index]))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        value = inspect.Parameter.empty if default is None else (
            ... if isinstance(default, ast.Constant) and default.value is ... else ast.literal_eval(default))
        found.append((argument.arg, inspect.Parameter.KEYWORD_ONLY, value))
    return found


@pytest.mark.parametrize("node", FUNCTIONS, ids=lambda node: node.name)
def test_function_signature(node: ast.FunctionDef) -> None:
    function = getattr(mt5, node.name)
    ours = list(inspect.signature(function).parameters.values())
    stub = stub_parameters(node)
    assert len(ours) >= len(stub), f"{node.name}: fewer parameters than the package"
    for (name, kind, default), parameter in zip(stub, ours):
        assert (parameter.name, parameter.kind) == (name, kind), node.name
        if default is inspect.Parameter.empty:
            assert parameter.default is inspect.Parameter.empty, f"{node.name}({name}) must be required"
        else:
            assert parameter.default is not inspect.Parameter.empty, f"{node.name}({name}) must be optional"
            if default is not ...:
                assert parameter.default == default, f"{node.name}({name}) default"
    # Anything beyond the package's parameters must be keyword-only and optional, so every call written for the
    # package binds the same way here.
    for parameter in ours[len(stub):]:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{node.name}({parameter.name})"
        assert parameter.default is not inspect.Parameter.empty, f"{node.name}({parameter.name})"


@pytest.mark.parametrize("node", FUNCTIONS, ids=lambda node: node.name)
def test_functions_do_not_bind_like_the_package_builtins(node: ast.FunctionDef) -> None:
    function = getattr(mt5, node.name)

    class Strategy:
        call = function

    # The package's functions are C builtins: a class attribute stays the same object when read through an
    # instance, so self.call() passes no extra argument.
    assert Strategy().call is function
    assert Strategy.__dict__["call"] is function


def test_a_framework_calling_through_self_passes_no_extra_argument() -> None:
    class Bot:
        shutdown = mt5.shutdown
        last_error = mt5.last_error

    Bot().shutdown()
    assert Bot().last_error()[0] in (mt5.RES_S_OK, mt5.RES_E_INTERNAL_FAIL_CONNECT)


def test_metadata_and_star_import() -> None:
    namespace: dict[str, Any] = {}
    exec("from MetaTrader5 import *", namespace)
    assert namespace["__version__"] == mt5.__version__ and namespace["__author__"] == mt5.__author__
    declared = {n.target.id for n in CONSTANTS} | {n.name for n in CLASSES} | {n.name for n in FUNCTIONS}
    assert declared <= set(namespace), sorted(declared - set(namespace))
