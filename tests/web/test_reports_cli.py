"""flask export mailings / export summary / import mailings, through the CLI runner."""

import csv
import io
import json

import openpyxl
from sqlalchemy import func
from sqlmodel import select

from models import Batch
from models import Mailing

HEADER = "campaign,recipient,channel,sender_town,sender_country,sent_on,count,chapter\n"
GOOD = HEADER + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,28,class-4b\n"


def count(fresh, model=Mailing):
    with fresh() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_export_mailings_as_csv_to_stdout(runner, world, make, fresh):
    make.batch(world["staff"], "a", count=3)
    make.batch(world["staff"], "b", count=2, chapter="leeds", sender_town="Leeds")
    result = runner.invoke(args=["export", "mailings", "--chapter", "leeds"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [r["sender_town"] for r in rows] == ["Leeds", "Leeds"]
    with fresh() as s:
        codes = set(s.exec(select(Mailing.code).where(Mailing.chapter_id == world["leeds"].id)))
    assert {r["code"] for r in rows} == codes


def test_export_mailings_to_files_in_each_format(runner, world, make, tmp_path):
    make.batch(world["staff"], "a", count=2)
    for fmt in ("csv", "json", "osdi", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            args=["export", "mailings", "--format", fmt, "--campaign", "azimjan-askarov", "-o", out]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert len(json.loads((tmp_path / "out.json").read_text())) == 2
    osdi = json.loads((tmp_path / "out.osdi").read_text())
    assert len(osdi["_embedded"]["osdi:outreaches"]) == 2
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet.max_row == 3


def test_export_refuses_bad_filters_with_a_message(runner, world):
    result = runner.invoke(args=["export", "mailings", "--since", "last week"])
    assert result.exit_code == 1 and "since: Enter a date" in result.output
    result = runner.invoke(args=["export", "mailings", "--chapter", "nowhere"])
    assert result.exit_code == 1 and "no chapter nowhere" in result.output


def test_export_summary(runner, world, make):
    make.batch(world["staff"], "a", count=2, channel="card", recipient="prisoner")
    result = runner.invoke(args=["export", "summary"])
    assert result.exit_code == 0, result.output
    assert "azimjan-askarov,channel,card,card,2,," in result.stdout_bytes.decode("utf-8-sig")


def test_import_mailings_dry_run_then_for_real(runner, world, tmp_path, fresh):
    path = tmp_path / "tally.csv"
    path.write_text(GOOD)
    dry = runner.invoke(args=["import", "mailings", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would create 1 batches, 28 mailings, from 1 lines." in dry.output
    assert "azimjan-askarov  president  letter  class-4b: 1 lines, 28 mailings" in dry.output
    assert count(fresh) == 0
    real = runner.invoke(args=["import", "mailings", str(path)])
    assert real.exit_code == 0 and "Created 1 batches, 28 mailings" in real.output
    again = runner.invoke(args=["import", "mailings", str(path)])
    assert "imported before" in again.output
    assert count(fresh) == 28 and count(fresh, Batch) == 1


def test_import_with_a_bad_line_names_it_and_exits_non_zero(runner, world, tmp_path, fresh):
    path = tmp_path / "tally.csv"
    path.write_text(GOOD + "azimjan-askarov,embassy,letter,Columbus,US,2025-12-10,2,class-4b\n")
    result = runner.invoke(args=["import", "mailings", str(path)])
    assert result.exit_code == 1
    assert "Error: line 3, recipient: Choose a recipient of this campaign." in result.output
    assert "Nothing imported: 1 of 2 lines have problems." in result.output
    assert count(fresh) == 0


def test_import_as_a_coordinator_keeps_to_their_chapter(runner, world, tmp_path, fresh):
    path = tmp_path / "tally.csv"
    path.write_text(GOOD.replace("class-4b", "leeds"))
    result = runner.invoke(args=["import", "mailings", str(path), "--as", "teacher@example.org"])
    assert result.exit_code == 1 and "chapter: You can only log" in result.output
    assert count(fresh) == 0


def test_import_refuses_unknown_columns_and_other_encodings(runner, world, tmp_path):
    path = tmp_path / "tally.csv"
    path.write_text("campaign,pupil_name\n")
    result = runner.invoke(args=["import", "mailings", str(path)])
    assert result.exit_code == 1 and "Unknown columns: pupil_name." in result.output
    path.write_bytes(GOOD.replace("Columbus", "Zürich").encode("latin-1"))
    result = runner.invoke(args=["import", "mailings", str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
