"""Exports, summaries and imports of app/services/reports.py, on the real database."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import select

from app.services import scope
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from app.services.reports import cells
from app.services.reports import formats
from app.services.reports import imports
from app.services.reports import rows as report_rows
from app.services.reports import summary
from models import Batch
from models import Mailing
from models import MailingQuery

TODAY = dt.date(2026, 1, 31)
DANGEROUS = "=+-@\t\r\0|%{"


# --- safe cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('  =HYPERLINK("x")', '\'  =HYPERLINK("x")'),
        ("+44 20", "'+44 20"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("|calc", "'|calc"),
        ("%APPDATA%", "'%APPDATA%"),
        ("{=A1}", "'{=A1}"),
        ("Bishkek", "Bishkek"),
        ("São Paulo", "São Paulo"),
        ("a=b", "a=b"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_safe_cell_defuses_what_a_spreadsheet_would_run(text, expected):
    assert cells.safe_cell(text) == expected


@settings(max_examples=1500)
@given(st.text())
def test_safe_cell_prefixes_exactly_the_dangerous_texts(text):
    out = cells.safe_cell(text)
    dangerous = text.lstrip(" ")[:1] in set(DANGEROUS) and text.lstrip(" ") != ""
    if dangerous:
        assert out == "'" + text
    else:
        assert out == text
    # Whatever came in, what goes out never starts like a formula.
    assert out.lstrip(" ")[:1] not in set(DANGEROUS) or out == ""


@settings(max_examples=1000)
@given(st.text(alphabet=st.sampled_from(list(DANGEROUS) + [" ", "a", "1", "'"]), max_size=6))
def test_safe_cell_on_dense_dangerous_input(text):
    out = cells.safe_cell(text)
    assert out in (text, "'" + text)
    assert not out.lstrip(" ") or out.lstrip(" ")[0] not in DANGEROUS


# --- data ------------------------------------------------------------------------------


@pytest.fixture
def logged(world, make, engine):
    """Three batches: letters from class 4B (priced), cards from Leeds, an email with no chapter."""
    make.batch(world["coordinator"], "a", count=2)
    make.batch(
        world["other"],
        "b",
        count=1,
        channel="card",
        recipient="prisoner",
        sender_town="=cmd|' /C calc'!A0",
        sender_country="GB",
        sent_on=dt.date(2025, 12, 20),
    )
    make.batch(
        world["staff"], "c", count=1, channel="email", sender_town="Toronto", sender_country="CA"
    )
    with Session(engine) as s:
        # A known postage snapshot, whatever today's rate tables say: letters $3.40,
        # the rest unpriced.
        s.exec(update(Mailing).values(postage_minor=None, postage_currency=None))
        s.exec(
            update(Mailing)
            .where(Mailing.channel == "letter")
            .values(postage_minor=340, postage_currency="USD", postage_table="usps/2025-07-13")
        )
        s.commit()
    return world


def rows(engine, user, **query):
    with Session(engine) as session:
        filters = scope.resolve(session, user, MailingQuery(**query))
        return list(report_rows.export_rows(session, user=user, filters=filters, chunk=2))


def csv_bytes(engine, user, **query) -> bytes:
    with Session(engine) as session:
        filters = scope.resolve(session, user, MailingQuery(**query))
        found = report_rows.export_rows(session, user=user, filters=filters, chunk=2)
        return b"".join(formats.csv_chunks(found))


def db_mailings(engine):
    with Session(engine) as s:
        return list(s.exec(select(Mailing).order_by(Mailing.id)).all())


# --- CSV -------------------------------------------------------------------------------


def test_csv_export_matches_the_expected_file_exactly(engine, logged):
    staff = logged["staff"]
    data = csv_bytes(engine, staff)
    codes = [m.code for m in db_mailings(engine)]
    expected = (
        "\ufeffcode,campaign,recipient,recipient_role,recipient_name,channel,kind,sender_town,"
        "sender_country,sender_country_name,sent_on,status,chapter,chapter_name,"
        "postage_amount,postage_currency\r\n"
        f"{codes[0]},azimjan-askarov,president,appeal,President Almazbek Atambaev,letter,letter,"
        "Columbus,US,United States,2025-12-10,logged,class-4b,Class 4B,3.40,USD\r\n"
        f"{codes[1]},azimjan-askarov,president,appeal,President Almazbek Atambaev,letter,letter,"
        "Columbus,US,United States,2025-12-10,logged,class-4b,Class 4B,3.40,USD\r\n"
        f"{codes[2]},azimjan-askarov,prisoner,solidarity,Azimjan Askarov,card,letter,"
        "'=cmd|' /C calc'!A0,GB,United Kingdom,2025-12-20,logged,leeds,Leeds Group,,\r\n"
        f"{codes[3]},azimjan-askarov,president,appeal,President Almazbek Atambaev,email,,"
        "Toronto,CA,Canada,2025-12-10,logged,,,,\r\n"
    )
    assert data.decode("utf-8") == expected


def test_csv_round_trip_equals_the_database(engine, logged):
    data = csv_bytes(engine, logged["staff"])
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    mailings = db_mailings(engine)
    assert [r["code"] for r in read] == [m.code for m in mailings]
    for row, m in zip(read, mailings, strict=True):
        assert row["sent_on"] == m.sent_on.isoformat()
        assert row["status"] == m.status and row["channel"] == m.channel
        assert row["sender_country"] == m.sender_country
        town = row["sender_town"]
        assert (town[1:] if town.startswith("'") else town) == m.sender_town
        if m.postage_minor is None:
            assert row["postage_amount"] == ""
        else:
            assert row["postage_amount"] == f"{m.postage_minor / 100:.2f}"


def test_coordinators_export_only_their_chapter(engine, logged):
    mine = rows(engine, logged["coordinator"])
    assert {r.chapter for r in mine} == {"class-4b"} and len(mine) == 2
    with pytest.raises(NotFound):
        rows(engine, logged["coordinator"], chapter="leeds")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"channel": "card"}, 1),
        ({"chapter": "leeds"}, 1),
        ({"since": dt.date(2025, 12, 11)}, 1),
        ({"until": dt.date(2025, 12, 10)}, 3),
        ({"status": "posted"}, 0),
        ({"campaign": "azimjan-askarov"}, 4),
    ],
)
def test_filters_narrow_the_export(engine, logged, query, expected):
    assert len(rows(engine, logged["staff"], **query)) == expected


def test_an_unknown_campaign_or_bad_filter_is_refused(engine, logged):
    with pytest.raises(ValidationFailed):
        rows(engine, logged["staff"], campaign="nobody")
    with pytest.raises(ValidationFailed) as excinfo:
        scope.parse_query({"since": "yesterday", "channel": "pigeon"})
    assert {e.field for e in excinfo.value.errors} == {"since", "channel"}
    with pytest.raises(ValidationFailed):
        scope.parse_query({"since": "2025-12-10", "until": "2025-12-01"})
    assert scope.parse_query({"campaign": "", "since": ""}) == MailingQuery()


# --- XLSX ------------------------------------------------------------------------------


def test_xlsx_round_trip_has_typed_cells_and_no_formula(engine, logged, tmp_path):
    path = tmp_path / "m.xlsx"
    assert formats.write_xlsx(rows(engine, logged["staff"]), str(path)) == 4
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == report_rows.COLUMNS
    mailings = db_mailings(engine)
    for row, m in zip(values[1:], mailings, strict=True):
        record = dict(zip(report_rows.COLUMNS, row, strict=True))
        assert record["code"] == m.code
        assert record["sent_on"] == dt.datetime.combine(m.sent_on, dt.time())
        if m.postage_minor is not None:
            assert record["postage_amount"] == pytest.approx(3.40)
            assert isinstance(record["postage_amount"], float)
    assert values[3][7] == "'=cmd|' /C calc'!A0"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.value.lstrip(" ")[:1] not in set(DANGEROUS), cell.coordinate


def test_an_empty_xlsx_export_still_has_its_header(engine, logged, tmp_path):
    path = tmp_path / "empty.xlsx"
    assert formats.write_xlsx(rows(engine, logged["staff"], status="void"), str(path)) == 0
    sheet = openpyxl.load_workbook(path).active
    assert list(sheet.iter_rows(values_only=True)) == [report_rows.COLUMNS]


# --- JSON and OSDI ---------------------------------------------------------------------


def test_json_export_is_one_array_equal_to_the_database(engine, logged):
    data = json.loads(b"".join(formats.json_chunks(rows(engine, logged["staff"]), flush_rows=1)))
    mailings = db_mailings(engine)
    assert [d["code"] for d in data] == [m.code for m in mailings]
    assert data[0]["postage"] == {"amount": "3.40", "amount_minor": 340, "currency": "USD"}
    assert data[3]["postage"] is None and data[3]["chapter"] is None
    assert data[2]["sender_town"] == "=cmd|' /C calc'!A0"  # JSON is no spreadsheet


def test_osdi_outreaches_carry_type_date_targets_and_campaign(engine, logged):
    with Session(engine) as session:
        filters = scope.resolve(session, logged["staff"], MailingQuery())
        found = report_rows.export_rows(
            session, user=logged["staff"], filters=filters, with_created_at=True
        )
        data = json.loads(b"".join(formats.outreach_chunks(found, base_url="https://lt.example/")))
    outreaches = data["_embedded"]["osdi:outreaches"]
    assert [o["type"] for o in outreaches] == ["postal mail", "postal mail", "postal mail", "email"]
    first = outreaches[0]
    assert first["action_date"] == "2025-12-10"
    assert first["targets"] == [
        {"title": "President Almazbek Atambaev", "ocdid": "ocd-division/country:KG"}
    ]
    assert first["_links"]["osdi:advocacy_campaign"] == {
        "href": "https://lt.example/campaigns/azimjan-askarov",
        "title": "Free Azimjan Askarov",
    }
    assert first["created_date"].endswith("Z")


# --- summary ---------------------------------------------------------------------------


def test_summary_totals_by_chapter_channel_country_and_postage(engine, logged, tmp_path):
    with Session(engine) as session:
        filters = scope.resolve(session, logged["staff"], MailingQuery())
        lines = summary.summarize(session, user=logged["staff"], filters=filters)
    got = {(line.section, line.key): line.mailings for line in lines}
    assert got == {
        ("total", ""): 4,
        ("chapter", "class-4b"): 2,
        ("chapter", "leeds"): 1,
        ("chapter", ""): 1,
        ("channel", "letter"): 2,
        ("channel", "card"): 1,
        ("channel", "email"): 1,
        ("country", "US"): 2,
        ("country", "GB"): 1,
        ("country", "CA"): 1,
        ("postage", "USD"): 2,
    }
    postage = next(line for line in lines if line.section == "postage")
    assert (postage.postage_minor, postage.currency) == (680, "USD")
    text = summary.summary_csv(lines).decode("utf-8-sig")
    assert "azimjan-askarov,postage,USD,USD,2,6.80,USD\r\n" in text
    assert text.startswith("campaign,section,key,name,mailings,postage_amount,postage_currency\r\n")
    path = tmp_path / "s.xlsx"
    summary.write_summary_xlsx(lines, str(path))
    sheet = openpyxl.load_workbook(path).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last == ("azimjan-askarov", "postage", "USD", "USD", 2, 6.8, "USD")


def test_the_summary_leaves_void_mailings_out_unless_asked(engine, logged):
    with Session(engine) as s:
        s.exec(update(Mailing).where(Mailing.channel == "email").values(status="void"))
        s.commit()
    with Session(engine) as session:
        staff = logged["staff"]
        plain = summary.summarize(
            session, user=staff, filters=scope.resolve(session, staff, MailingQuery())
        )
        void = summary.summarize(
            session,
            user=staff,
            filters=scope.resolve(session, staff, MailingQuery(status="void")),
        )
    assert plain[0].mailings == 3
    assert void[0].mailings == 1


def test_file_names_carry_campaign_chapter_and_date():
    query = MailingQuery(campaign="azimjan-askarov")
    assert formats.filename("mailings", query, TODAY, "csv") == (
        "mailings-azimjan-askarov-2026-01-31.csv"
    )
    assert formats.filename("summary", MailingQuery(chapter="leeds"), TODAY, "xlsx") == (
        "summary-all-campaigns-leeds-2026-01-31.xlsx"
    )


# --- import ----------------------------------------------------------------------------

HEADER = "campaign,recipient,channel,sender_town,sender_country,sent_on,count,chapter\n"


def do_import(engine, user, text, dry_run=False):
    data = text.encode() if isinstance(text, str) else text
    with Session(engine, expire_on_commit=False) as session:
        return imports.import_mailings(
            session=session, data=data, user=user, dry_run=dry_run, today=TODAY
        )


def count(engine, model):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


GOOD = (
    HEADER
    + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,28,class-4b\n"
    + "azimjan-askarov,prisoner,drawing,Columbus,US,2025-12-11,3,class-4b\n"
)


def test_an_import_creates_every_line_as_a_batch(engine, world):
    result = do_import(engine, world["staff"], GOOD)
    assert (result.rows, result.batches, result.mailings, result.repeated) == (2, 2, 31, 0)
    assert count(engine, Batch) == 2 and count(engine, Mailing) == 31


def test_a_dry_run_says_what_would_be_made_and_writes_nothing(engine, world):
    result = do_import(engine, world["staff"], GOOD, dry_run=True)
    assert result.dry_run and result.mailings == 31
    assert [(p.recipient, p.channel, p.mailings) for p in result.plan] == [
        ("president", "letter", 28),
        ("prisoner", "drawing", 3),
    ]
    assert count(engine, Mailing) == 0


def test_the_same_file_twice_imports_once(engine, world):
    do_import(engine, world["staff"], GOOD)
    again = do_import(engine, world["staff"], GOOD)
    assert (again.batches, again.repeated) == (0, 2)
    assert count(engine, Mailing) == 31


def test_one_bad_line_imports_nothing_and_is_named(engine, world):
    text = GOOD + "azimjan-askarov,president,letter,Columbus,US,2025-13-45,5,class-4b\n"
    with pytest.raises(imports.ImportFailed) as excinfo:
        do_import(engine, world["staff"], text)
    assert [str(e) for e in excinfo.value.errors] == [
        "line 4, sent_on: Enter the date it was sent, like 2025-12-10."
    ]
    assert count(engine, Batch) == 0 and count(engine, Mailing) == 0


def test_every_bad_line_is_reported_with_database_problems_too(engine, world):
    text = (
        HEADER
        + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,0,class-4b\n"
        + "nobody,president,letter,Columbus,US,2025-12-10,1,class-4b\n"
        + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,1\n"
        + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,1,class-4b\n"
    )
    with pytest.raises(imports.ImportFailed) as excinfo:
        do_import(engine, world["staff"], text)
    assert [(e.line, e.field) for e in excinfo.value.errors] == [
        (2, "count"),
        (3, "campaign"),
        (4, None),
    ]
    assert count(engine, Mailing) == 0


def test_a_coordinator_imports_only_their_chapters_lines(engine, world):
    text = GOOD + "azimjan-askarov,president,letter,Leeds,GB,2025-12-10,2,leeds\n"
    with pytest.raises(imports.ImportFailed) as excinfo:
        do_import(engine, world["coordinator"], text)
    assert [(e.line, e.field) for e in excinfo.value.errors] == [(4, "chapter")]
    do_import(engine, world["coordinator"], GOOD)
    with Session(engine) as s:
        assert set(s.exec(select(Mailing.chapter_id)).all()) == {world["class_4b"].id}


def test_a_quoted_line_break_keeps_line_numbers_true(engine, world):
    text = (
        HEADER
        + 'azimjan-askarov,president,letter,"New\nYork",US,2025-12-10,1,class-4b\n'
        + "azimjan-askarov,president,letter,Columbus,ZZ,2025-12-10,1,class-4b\n"
    )
    with pytest.raises(imports.ImportFailed) as excinfo:
        do_import(engine, world["staff"], text)
    assert [(e.line, e.field) for e in excinfo.value.errors] == [(4, "sender_country")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("campaign,recipient,colour\n", "Unknown columns: colour."),
        ("campaign,recipient\n", "Missing columns: channel"),
        (HEADER.strip() + ",count\n", "Repeated columns: count."),
        ("", "The file is empty."),
        (HEADER, "no lines to import"),
        ("campaign,town\n".encode("utf-16"), "not UTF-8"),
        ("Göttingen".encode("latin-1"), "not UTF-8"),
        (b"x" * (imports.MAX_IMPORT_BYTES + 1), "larger than 10 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(engine, world, data, message):
    with pytest.raises(imports.ImportRefused) as excinfo:
        do_import(engine, world["staff"], data)
    assert message in str(excinfo.value)
    assert count(engine, Mailing) == 0


def test_a_bom_and_spaced_capitalised_headers_are_accepted(engine, world):
    text = "\ufeff" + " Campaign , RECIPIENT,channel,sender_town,sender_country,sent_on,count\n"
    text += "azimjan-askarov,president,email,Columbus,us,2025-12-10,4\n"
    assert do_import(engine, world["staff"], text).mailings == 4
