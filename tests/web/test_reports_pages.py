"""/reports: filtered downloads in every format, and the import form, with CSRF on."""

import csv
import io
import json
import tempfile

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import select

from app.views import reports as reports_views
from models import Batch
from models import Mailing
from tests.conftest import csrf_token
from tests.conftest import page

HEADER = "campaign,recipient,channel,sender_town,sender_country,sent_on,count,chapter\n"
GOOD = HEADER + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,28,class-4b\n"


@pytest.fixture
def mail(world, make):
    make.batch(world["coordinator"], "a", count=3)
    make.batch(world["other"], "b", count=2, sender_town="Leeds", sender_country="GB")
    return world


@pytest.fixture
def staff(client, auth, mail):
    auth.login()
    return client


@pytest.fixture
def teacher(client, auth, mail):
    auth.login("teacher@example.org")
    return client


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def count(fresh, model=Mailing):
    with fresh() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/reports", "/reports/mailings.csv", "/reports/summary.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_links_every_format_keeping_the_filters(staff):
    soup = page(staff.get("/reports?campaign=azimjan-askarov&channel=letter"))
    links = [a["href"] for a in soup.select("ul.downloads a")]
    assert links == [
        "/reports/mailings.csv?campaign=azimjan-askarov&channel=letter",
        "/reports/mailings.xlsx?campaign=azimjan-askarov&channel=letter",
        "/reports/mailings.json?campaign=azimjan-askarov&channel=letter",
        "/reports/outreaches.json?campaign=azimjan-askarov&channel=letter",
        "/reports/summary.csv?campaign=azimjan-askarov&channel=letter",
        "/reports/summary.xlsx?campaign=azimjan-askarov&channel=letter",
    ]
    assert soup.find("select", attrs={"name": "chapter"}) is not None


def test_a_csv_download_is_a_named_uncached_attachment(staff, fresh):
    response = staff.get("/reports/mailings.csv?campaign=azimjan-askarov")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="mailings-azimjan-askarov-')
    assert disposition.endswith('.csv"')
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    with fresh() as s:
        codes = list(s.exec(select(Mailing.code).order_by(Mailing.id)))
    assert [r["code"] for r in read_csv(response)] == codes


def test_a_coordinator_downloads_only_their_chapter(teacher, mail):
    rows = read_csv(teacher.get("/reports/mailings.csv"))
    assert {r["chapter"] for r in rows} == {"class-4b"} and len(rows) == 3
    assert teacher.get("/reports/mailings.csv?chapter=leeds").status_code == 404
    assert teacher.get("/reports/summary.csv?chapter=leeds").status_code == 404
    assert page(teacher.get("/reports")).find("select", attrs={"name": "chapter"}) is None


def test_every_format_downloads(staff):
    xlsx = staff.get("/reports/mailings.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.max_row == 6
    assert len(json.loads(staff.get("/reports/mailings.json").get_data())) == 5
    osdi = json.loads(staff.get("/reports/outreaches.json").get_data())
    outreach = osdi["_embedded"]["osdi:outreaches"][0]
    assert outreach["_links"]["osdi:advocacy_campaign"]["href"] == (
        "http://localhost/campaigns/azimjan-askarov"
    )
    summary = staff.get("/reports/summary.csv").get_data().decode("utf-8-sig")
    assert "azimjan-askarov,total,,,5,," in summary
    book = openpyxl.load_workbook(io.BytesIO(staff.get("/reports/summary.xlsx").get_data()))
    assert book.active["E2"].value == 5


def test_bad_filters_show_the_page_with_messages(staff):
    response = staff.get("/reports/mailings.csv?since=tomorrow")
    assert response.status_code == 422
    assert "Enter a date like 2025-12-10." in page(response).get_text()
    assert staff.get("/reports?campaign=nobody").status_code == 422


def test_a_streamed_csv_is_not_built_in_memory_first(staff):
    response = staff.get("/reports/mailings.csv", buffered=False)
    assert response.is_streamed
    response.close()


@pytest.mark.parametrize("url", ["/reports/mailings.xlsx", "/reports/summary.xlsx"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_excel_download_closes_its_temporary_file(staff, monkeypatch, url, method):
    # A HEAD answer has no body: the file must close though nothing ever reads it.
    opened = []
    real = tempfile.TemporaryFile

    def recorded(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(reports_views.tempfile, "TemporaryFile", recorded)
    response = staff.open(url, method=method)
    assert response.status_code == 200
    response.close()
    assert len(opened) == 1 and opened[0].closed


# --- import ----------------------------------------------------------------------------


def upload(client, text, action="import", token=None):
    """Post a file to the import form as a browser would (multipart, built by hand so
    that the test client keeps a large body in memory rather than a temporary file).
    """
    token = token if token is not None else csrf_token(client, "/reports")
    data = text.encode() if isinstance(text, str) else text
    boundary = "----lettertrail-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in (("csrf_token", token), ("action", action))
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tally.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/reports/import",
        input_stream=io.BytesIO(b"".join(parts)),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=sum(len(p) for p in parts),
    )


def test_the_import_form_checks_then_imports(staff, fresh):
    before = count(fresh)
    checked = upload(staff, GOOD, action="check")
    assert checked.status_code == 200
    assert "Importing would create 1 batches with 28 mailings." in page(checked).get_text()
    assert count(fresh) == before
    done = upload(staff, GOOD)
    assert done.status_code == 200
    assert "Imported 1 lines: 1 batches with 28 mailings." in page(done).get_text()
    assert count(fresh) == before + 28


def test_an_import_with_a_bad_line_names_it_and_changes_nothing(staff, fresh):
    before = (count(fresh), count(fresh, Batch))
    text = GOOD + "azimjan-askarov,president,letter,Columbus,US,2025-12-10,600,class-4b\n"
    response = upload(staff, text)
    assert response.status_code == 422
    cells = [td.get_text() for td in page(response).select("table.import-errors td")]
    assert cells == ["3", "count", "Enter a number from 1 to 500."]
    assert (count(fresh), count(fresh, Batch)) == before


def test_a_coordinators_import_keeps_to_their_chapter(teacher, fresh):
    before = count(fresh)
    response = upload(teacher, GOOD.replace("class-4b", "leeds"))
    assert response.status_code == 422
    assert "You can only log mailings for your chapter." in page(response).get_text()
    assert count(fresh) == before


def test_the_import_refuses_a_missing_or_wrong_csrf_token(staff, fresh):
    before = count(fresh)
    assert upload(staff, GOOD, token="").status_code == 400
    assert upload(staff, GOOD, token="forged").status_code == 400
    assert count(fresh) == before


def test_a_file_over_10_mb_is_refused_with_413_and_a_message(staff):
    response = upload(staff, b"x" * (11 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 10 MB" in page(response).get_text()


def test_a_file_between_1_and_10_mb_is_taken_on_this_route_only(staff, fresh):
    padding = "azimjan-askarov,president,letter,Columbus,US,2025-12-10,1,class-4b\n" * 20_000
    response = upload(staff, HEADER + padding, action="check")
    assert response.status_code == 200, page(response).get_text()[:300]
    token = csrf_token(staff, "/mailings/new")
    big = staff.post("/mailings/new", data={"csrf_token": token, "sender_town": "x" * 2_000_000})
    assert big.status_code == 413


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("campaign,pupil\n", "Unknown columns: pupil."),
        ("Zürich".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(staff, data, message):
    response = upload(staff, data)
    assert response.status_code == 422
    assert message in page(response).get_text()
