"""Dependencies point one way: models/ and app/services/ never import Flask."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = sorted([*ROOT.glob("models/**/*.py"), *ROOT.glob("app/services/**/*.py")])
FORBIDDEN = ("flask", "flask_wtf", "flask_login", "flask_babel", "werkzeug", "app.views", "app.db")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_are_pure_modules_to_check():
    assert len(PURE) >= 8


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_never_imports_flask(path):
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {bad}"


def test_models_never_import_services():
    for path in ROOT.glob("models/**/*.py"):
        assert not any(n.startswith("app") for n in imported_modules(path)), path.name


def test_only_countries_imports_pycountry():
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in [*ROOT.glob("app/**/*.py"), *ROOT.glob("models/**/*.py")]
        if "pycountry" in imported_modules(p)
    ]
    assert importers == ["app/services/countries.py"]
