#!/usr/bin/env python3
"""Set up and run Lettertrail with nothing but Python 3.11+.

    python3 dev.py serve   install into .venv, create the database, load the demo, run
    python3 dev.py test    install into .venv, then run ruff and the whole test suite
    python3 dev.py translations   extract new strings into the catalogs, then compile them
    python3 dev.py audit   install into .venv, then check the packages with pip-audit

Extra arguments after ``test`` go to pytest. ``TEST_DATABASE_URL`` runs the suite
on PostgreSQL instead of SQLite.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".lettertrail-installed"


def run(*args: str, **kwargs) -> None:
    """Run a command from the repository root; stop with its exit code if it fails."""
    result = subprocess.run(args, cwd=ROOT, **kwargs)  # noqa: S603 - our own fixed commands
    if result.returncode:
        sys.exit(result.returncode)


def install() -> None:
    """Create .venv and install the project with its dev extras, when pyproject changed."""
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing Lettertrail and its dependencies into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "install", "--upgrade", "pip")
    run(*pip, "install", "-e", ".[dev]")
    STAMP.write_text(wanted)


def flask(*args: str) -> None:
    run(str(BIN / "flask"), "--app", "app", *args)


def serve(args: list[str]) -> None:
    """Create or migrate the database, load the demo campaign, and run the server."""
    install()
    flask("db", "upgrade")
    flask("demo")
    print("\nOpen http://127.0.0.1:5000/ — press Ctrl+C to stop.\n", flush=True)
    flask("run", "--port", "5000", *args)


def test(args: list[str]) -> None:
    """Check the code with ruff, then run the test suite."""
    install()
    run(str(BIN / "ruff"), "check", ".")
    run(str(BIN / "python"), "-m", "pytest", *args)


def translations(args: list[str]) -> None:
    """Extract the strings to translate, merge them into each catalog, and compile."""
    install()
    pybabel = str(BIN / "pybabel")
    pot = "app/translations/messages.pot"
    run(
        pybabel,
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "Nn_:1,2",
        "-c",
        "TRANSLATORS:",
        # Babel skips folders starting with "_" unless told: templates/_partials has strings.
        "--ignore-dirs",
        ".* __pycache__",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        pot,
        ".",
    )
    run(pybabel, "update", "-i", pot, "-d", "app/translations", "--no-fuzzy-matching")
    run(pybabel, "compile", "-d", "app/translations", "--statistics")


def audit(args: list[str]) -> None:
    """Check every installed package against the known vulnerabilities (needs PyPI)."""
    install()
    # The project itself is installed editable and is not on PyPI.
    run(str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", *args)


def main() -> None:
    commands = {"serve": serve, "test": test, "translations": translations, "audit": audit}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
