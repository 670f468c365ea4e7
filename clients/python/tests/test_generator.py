"""The generator's rules for splitting the models into modules, and every way it refuses to write broken code."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from conftest import SCHEMA
from test_generated import load_generator

gen = load_generator()


@pytest.fixture(scope="module")
def single() -> str:
    """datamodel-codegen's single-file output for today's schema."""
    return gen.run_codegen(gen.SCHEMA)


def module_of(files: dict[str, str], name: str) -> str:
    holders = [path for path, text in files.items() if re.search(rf"^class {name}\(", text, re.MULTILINE)]
    assert len(holders) == 1, (name, holders)
    return holders[0].removeprefix("models/").removesuffix(".py")


def test_a_class_goes_to_the_group_that_claims_it_or_that_every_user_may_import(single: str) -> None:
    files = gen.split_models(single, SCHEMA)
    assert module_of(files, "GetCandlesParams") == "market"      # only market methods reach it
    assert module_of(files, "Quote") == "market"                 # market and streaming; streaming uses market
    assert module_of(files, "Position") == "account"             # account and streaming; streaming uses account
    assert module_of(files, "ErrorObject") == "errors"           # errors, jsonrpc, trading and link use errors
    assert module_of(files, "DenyReason") == "common"            # console and streaming: neither imports the other
    assert module_of(files, "ConsoleError") == "console"         # claimed by name
    # Stream specs are named by streaming and by the link (a terminal's interest), so they live in common.
    assert module_of(files, "StreamSpec") == "common"
    assert "from .market import Book, Candle, Quote, Tick\n" in files["models/streaming.py"]


def test_a_definition_no_group_claims_goes_to_the_default_module(single: str) -> None:
    table = {name: module for name, module in gen.MODEL_MODULES.items() if name != "console"}
    files = gen.split_models(single, SCHEMA, table)
    assert "models/console.py" not in files
    for name in ["ConsoleError", "Verdict", "AllowedVerdict", "RevocationEvent", "DeviceStatus"]:
        assert module_of(files, name) == gen.DEFAULT_MODULE
    assert "ConsoleError" in files["models/__init__.py"]


def test_what_a_default_module_class_needs_moves_there_too() -> None:
    # C is reached by a and b (neither imports the other): common. D is reached by a, b and x, and a and b may import
    # x, so D alone would go to x; but common imports nothing, so D must follow C into common.
    bundle = {"x-methods": [{"category": category, "params": {"$ref": f"#/$defs/P{category}"},
                             "result": {"$ref": f"#/$defs/{result}"}} for category, result in
                            [("a", "C"), ("b", "C"), ("x", "D")]],
              "x-notifications": []}
    deps = {"C": {"D"}, "D": set(), "Pa": set(), "Pb": set(), "Px": set()}
    table = {"common": gen.ModelModule("shared"), "x": gen.ModelModule("x", categories=("x",)),
             "a": gen.ModelModule("a", categories=("a",), uses=("x",)),
             "b": gen.ModelModule("b", categories=("b",), uses=("x",))}
    placement = gen.place_models(bundle, deps, table)
    assert placement == {"C": "common", "D": "common", "Pa": "a", "Pb": "b", "Px": "x"}


@pytest.mark.parametrize(("change", "message"), [
    ({"account": {"uses": ("streaming",)}}, "import itself through `uses`"),
    ({"market": {"uses": ("nowhere",)}}, "uses 'nowhere', which is not a module"),
    ({"market": {"categories": ("market", "astrology")}}, "claims the method category 'astrology'"),
    ({"console": {"names": ("ConsoleError", "NoSuchModel")}}, "claims 'NoSuchModel', which the generator did not"),
])
def test_a_wrong_layout_table_fails_loudly(single: str, change: dict, message: str) -> None:
    table = dict(gen.MODEL_MODULES)
    for name, fields in change.items():
        table[name] = dataclasses.replace(table[name], **fields)
    with pytest.raises(gen.GenerationError, match=re.escape(message)):
        gen.split_models(single, SCHEMA, table)


def test_a_layout_without_the_default_module_fails(single: str) -> None:
    table = {name: module for name, module in gen.MODEL_MODULES.items() if name != gen.DEFAULT_MODULE}
    with pytest.raises(gen.GenerationError, match="no default module"):
        gen.split_models(single, SCHEMA, table)


def test_codegen_output_outside_classes_fails(single: str) -> None:
    with pytest.raises(gen.GenerationError, match="belong to no class"):
        gen.split_models(single + "\nQuote.model_rebuild()\n", SCHEMA)


def test_an_unresolved_name_fails() -> None:
    gen.check_names("models/ok.py", "from .common import Side\n\n\nclass A(Side):\n    x: list[int]\n")
    with pytest.raises(gen.GenerationError, match=r"models/bad.py would use names .*\['Side'\]"):
        gen.check_names("models/bad.py", "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    side: Side\n")


def test_an_import_cycle_fails() -> None:
    gen.check_import_cycles({"models/a.py": "from .b import B\n", "models/b.py": "from .c import C\n",
                             "models/c.py": "X = 1\n"})
    with pytest.raises(gen.GenerationError, match="models/a -> models/b -> models/c -> models/a"):
        gen.check_import_cycles({"models/a.py": "from .b import B\n", "models/b.py": "from .c import C\n",
                                 "models/c.py": "from .a import A\n", "models/__init__.py": "from .a import A\n"})


def test_the_command_line_exits_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = dict(gen.MODEL_MODULES)
    broken["account"] = dataclasses.replace(broken["account"], uses=("streaming",))
    monkeypatch.setattr(gen, "MODEL_MODULES", broken)
    monkeypatch.setattr(sys, "argv", ["generate.py", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="generate.py: models.account would import itself"):
        gen.main()
    assert not list(tmp_path.iterdir()), "nothing is written when the layout is wrong"


def test_generating_deletes_generated_files_it_no_longer_writes_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    stale = tmp_path / "models.py"
    stale.write_text(gen.HEADER + "class Old:\n    pass\n")
    handwritten = tmp_path / "models" / "extra.py"
    handwritten.write_text('"""Not generated."""\n')
    written = gen.generate(tmp_path)
    assert not stale.exists()
    assert handwritten.exists()
    assert tmp_path / "models" / "__init__.py" in written
