"""A consistent copy of the SQLite database while the app keeps writing to it.

SQLite's online backup API copies every page inside one read transaction: in WAL
mode writers go on meanwhile, and the copy is the database as of the moment the
read began. The copy is written beside *dest* under a temporary name, checked with
``PRAGMA integrity_check``, switched to a single file (``journal_mode=DELETE``) and
only then given its name, so a failed or interrupted backup never leaves a partial
file at *dest*.

PostgreSQL is not copied here: ``pg_dump`` does that job properly (see the README).
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupRefused(Exception):
    """The backup was not made; the message says why in plain words."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int


def sqlite_path(database_url: str) -> Path:
    """Return the file of a SQLite *database_url*.

    :raises BackupRefused: for another database, or an in-memory SQLite one.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            f"flask backup copies SQLite databases; this one is {url.get_backend_name()}. "
            "Use pg_dump, e.g.: pg_dump --format=custom --file=lettertrail.dump DATABASE_URL"
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory database cannot be backed up")
    return Path(url.database)


def backup_sqlite(source: Path, dest: Path, *, force: bool = False) -> BackupResult:
    """Copy the SQLite database *source* to *dest* while it may be in use.

    :raises BackupRefused: if *dest* exists (and not *force*), *source* is missing,
        or the copy fails its integrity check.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    if dest.exists() and not force:
        raise BackupRefused(f"{dest} exists already; use --force to replace it")
    if dest.exists() and dest.resolve() == source.resolve():
        raise BackupRefused("the copy cannot replace the database itself")
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    temporary.unlink(missing_ok=True)
    try:
        _copy(source, temporary)
        if force:
            os.replace(temporary, dest)
        else:
            # link() fails if dest appeared meanwhile: never overwrite without --force.
            try:
                os.link(temporary, dest)
            except FileExistsError:
                raise BackupRefused(f"{dest} exists already; use --force to replace it") from None
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(path=dest, bytes=dest.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(target)
    try:
        # pages=-1: all pages in one step, inside one read transaction. Copying in
        # small steps would restart whenever another connection writes, and under
        # steady write load might never finish.
        reader.backup(writer, pages=-1)
        writer.execute("PRAGMA journal_mode=DELETE")
        result = writer.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise BackupRefused(f"the copy failed its integrity check: {result[:5]}")
    finally:
        writer.close()
        reader.close()


def integrity(path: Path) -> list[str]:
    """Return what ``PRAGMA integrity_check`` says of the SQLite file *path*."""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
