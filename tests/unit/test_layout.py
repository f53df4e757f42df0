"""The layout's house rules, read from the code itself (STYLE.md, issue 12): no module over 400 lines
and no class over 250, in the package and in tests/, bench/ and scripts/ alike; and each sub-package
importing only what its `__init__` docstring allows.

A docstring's rule reads "May import `a`, `b` and `c`"; a sub-package may import those and, as
README's "`publish` and below" says, whatever they in turn may import. `cli` is the wiring: it may
import everything, and says so in words instead."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "feedsvc"
BESIDE = ("tests", "bench", "scripts")  # held to the same size limits as the package
FIXTURE_STORES = ROOT / "tests" / "stores"  # deliberately broken files, none Python (as ruff excludes them)
MODULE_LINES = 400
CLASS_LINES = 250
WIRING = {"cli"}  # sub-packages without a "May import" rule

RULE = re.compile(r"May import\s+((?:`[\w.]+`(?:,\s*|\s+and\s+)?)+)")


def oversized(source: str) -> list[str]:
    """What in one module's source is over the limits, in words (nothing: within them)."""
    found = []
    lines = len(source.splitlines())
    if lines > MODULE_LINES:
        found.append(f"the module has {lines} lines (at most {MODULE_LINES})")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            if size > CLASS_LINES:
                found.append(f"class {node.name} has {size} lines (at most {CLASS_LINES})")
    return found


def allowed_by(docstring: str) -> set[str]:
    """The names a sub-package's docstring lets it import, as `feedsvc.…` (empty: it has no rule)."""
    rule = RULE.search(docstring)
    names = re.findall(r"`([\w.]+)`", rule.group(1)) if rule else []
    return {name if name.startswith("feedsvc.") else f"feedsvc.{name}" for name in names}


def feedsvc_imports(path: Path) -> set[str]:
    """Everything of feedsvc a module imports, as dotted names (`from ..model import Article` gives
    `feedsvc.model.Article`), wherever in the module the import is."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # a module's package; an __init__'s is its own folder
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "feedsvc" or name.startswith("feedsvc.")}


def within(name: str, allowed: set[str]) -> bool:
    return any(name == a or name.startswith(a + ".") for a in allowed)


MODULES = sorted(PACKAGE.rglob("*.py"))
BESIDE_MODULES = sorted(
    path for folder in BESIDE for path in (ROOT / folder).rglob("*.py") if FIXTURE_STORES not in path.parents
)
SUBPACKAGES = sorted(init.parent.name for init in PACKAGE.glob("*/__init__.py"))
RULES = {
    sub: allowed_by(ast.get_docstring(ast.parse((PACKAGE / sub / "__init__.py").read_text())) or "")
    for sub in SUBPACKAGES
}


def closure(sub: str) -> set[str]:
    """What `sub` may import: its rule, and the rules of the sub-packages it names, and theirs."""
    allowed, todo = set(), [sub]
    while todo:
        for name in RULES.get(todo.pop(), set()) - allowed:
            allowed.add(name)
            todo.append(name.split(".")[1])
    return allowed


def test_the_tables_are_read_from_the_package():
    """The tables below come from the real package and the folders beside it: an empty one would check
    nothing."""
    assert PACKAGE / "store" / "store.py" in MODULES
    assert {
        ROOT / "tests" / "conftest.py",
        ROOT / "bench" / "__main__.py",
        ROOT / "scripts" / "make_sample_photos.py",
    } <= set(BESIDE_MODULES)
    assert closure("publish") >= {"feedsvc.store", "feedsvc.render", "feedsvc.source"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("class Fits:\n" + "    x = 1\n" * 249, []),
        ("class TooLong:\n" + "    x = 1\n" * 250, ["class TooLong has 251 lines (at most 250)"]),
        ("x = 1\n" * 400, []),
        ("x = 1\n" * 401, ["the module has 401 lines (at most 400)"]),
        (
            "def f():\n    class Nested:\n" + "        x = 1\n" * 250,
            ["class Nested has 251 lines (at most 250)"],
        ),
    ],
    ids=["class-250", "class-251", "module-400", "module-401", "nested-class-251"],
)
def test_the_measure_names_what_is_over_the_limits(source, expected):
    assert oversized(source) == expected


@pytest.mark.parametrize("path", MODULES + BESIDE_MODULES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_module_over_400_lines_and_no_class_over_250(path):
    found = oversized(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: " + "; ".join(found) + " — split it along a seam"


def test_every_sub_package_says_what_it_may_import():
    assert {sub for sub, allowed in RULES.items() if not allowed} == WIRING


@pytest.mark.parametrize("sub", sorted(set(SUBPACKAGES) - WIRING))
def test_each_sub_package_imports_only_what_its_docstring_allows(sub):
    allowed = closure(sub) | {f"feedsvc.{sub}"}
    wrong = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted((PACKAGE / sub).rglob("*.py"))
        for name in sorted(feedsvc_imports(path))
        if not within(name, allowed)
    ]
    rule = f"feedsvc/{sub}/__init__.py allows {sorted(RULES[sub])} and what they may import"
    assert not wrong, rule + ":\n" + "\n".join(wrong)
