"""The shape of the code base: apps form a one-way stack, modules and functions stay small.

The stack (STYLE.md, "Dependencies point one way"): ``idbridge`` ← ``staff`` ← ``stepup`` ←
``boi`` ← ``sandbox``. A module may import its own app and the apps below it, never one
above. Demo wiring (each app's own ``demo.py``, found by the ``demo`` command without an
import) is the one exception: it puts the apps together for ``make demo``.

Run ``python tests/test_structure.py`` to list what the checks find.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
STACK = ["idbridge", "staff", "stepup", "boi", "sandbox"]
MODULE_MAX_LINES = 450
FUNCTION_MAX_LINES = 45

# Declarative data written as code (OpenAPI descriptions): long, but a list, not a flow.
FUNCTION_LENGTH_EXEMPT = {
    "sandbox/boi/openapi.py:_paths",
    "sandbox/boi/openapi.py:_schemas",
    "sandbox/oneroster/openapi.py:description",
}


def _is_demo_wiring(app: str, path: pathlib.Path) -> bool:
    return app != "idbridge" and path.name == "demo.py"


def product_modules():
    for app in STACK:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _imported_apps(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in STACK:
                yield node.lineno, name, top


def layering_violations() -> list[str]:
    found = []
    for app, path in product_modules():
        if _is_demo_wiring(app, path):
            continue
        tree = ast.parse(path.read_text())
        for lineno, name, top in _imported_apps(tree):
            if STACK.index(top) > STACK.index(app):
                found.append(f"{path.relative_to(ROOT)}:{lineno} imports {name}")
    return found


def oversized_modules() -> list[str]:
    found = []
    for _app, path in product_modules():
        lines = path.read_text().count("\n")
        if lines > MODULE_MAX_LINES:
            found.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    return found


def long_functions() -> list[str]:
    found = []
    for _app, path in product_modules():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                name = f"{rel}:{node.name}"
                if length > FUNCTION_MAX_LINES and name not in FUNCTION_LENGTH_EXEMPT:
                    found.append(f"{name} ({length} lines)")
    return found


def test_apps_import_only_the_apps_below_them():
    assert layering_violations() == []


def test_no_product_module_is_over_450_lines():
    assert oversized_modules() == []


def test_no_product_function_is_over_45_lines():
    assert long_functions() == []


if __name__ == "__main__":
    for title, check in (
        ("Imports up the stack", layering_violations),
        ("Modules over 450 lines", oversized_modules),
        ("Functions over 45 lines", long_functions),
    ):
        found = check()
        print(f"{title}: {len(found)}")
        for line in found:
            print("   ", line)
