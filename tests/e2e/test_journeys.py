"""The main journeys, clicked through in a real browser."""

import csv
import io
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import select

from models import Mailing
from models import Recipient
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.qr import decode
from tests.qr import render


def test_staff_create_a_campaign_with_two_recipients(page, served, make, fresh, shot):
    make.user()
    sign_in(page, served, "staff@example.org", PASSWORD)
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Title").fill("Free Azimjan Askarov")
    page.get_by_label("Short name").fill("azimjan-askarov")
    page.get_by_label("Summary of the case").fill("A human rights defender in Kyrgyzstan.")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Country of the case").select_option("KG")
    page.get_by_label("Starts on").fill("2025-11-20")
    page.get_by_label("Goal (mailings)").fill("500")
    shot("campaign-form")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Free Azimjan Askarov")
    for key, role, name, lines in [
        (
            "president",
            "appeal",
            "President Almazbek Atambaev",
            "Government House\nProspekt Chuy 205",
        ),
        ("prisoner", "solidarity", "Azimjan Askarov", "Koloniya No. 47"),
    ]:
        page.get_by_role("link", name="Add a recipient").click()
        page.get_by_label("Key").fill(key)
        page.get_by_label("Role").select_option(role)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Street address").fill(lines)
        page.get_by_label("City").fill("Bishkek")
        page.get_by_label("Country").select_option("KG")
        page.get_by_role("button", name="Save recipient").click()
    expect(page.locator("article.card h3")).to_have_text(
        ["President Almazbek Atambaev", "Azimjan Askarov"]
    )
    shot("campaign-page")
    with fresh() as s:
        assert s.exec(select(func.count()).select_from(Recipient)).one() == 2


def test_a_coordinator_logs_28_letters_and_marks_them_posted(page, served, world, fresh, shot):
    sign_in(page, served, "teacher@example.org", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Log mail").click()
    expect(page.get_by_label("Sent from (town)")).to_have_value("Columbus")
    page.get_by_label("How many").fill("28")
    page.get_by_label("Sent to").select_option("president")
    page.get_by_label("Date sent").fill("2025-12-10")
    shot("log-form")
    page.get_by_role("button", name="Log mail").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("28 × Letter")
    expect(page.locator("tbody tr")).to_have_count(28)
    # The slip sheet: 4 pages of 8, every QR decoding to its mailing's scan page.
    # The sheet opens inline (to print); read what the browser received.
    with page.expect_response(lambda r: "/slips.pdf" in r.url) as sheet:
        page.get_by_role("button", name="Print the slips (PDF)").click()
    assert sheet.value.headers["content-type"] == "application/pdf"
    # Chromium streams an opened PDF into its viewer; fetch the same URL with the same
    # signed-in browser context to read the bytes.
    pdf = page.context.request.get(sheet.value.url).body()
    page.go_back()
    found = sorted(code.text for image in render(pdf, dpi=150) for code in decode(image))
    with fresh() as s:
        codes = sorted(f"http://localhost/m/{c}" for c in s.exec(select(Mailing.code)))
    assert found == codes and len(found) == 28
    page.get_by_role("button", name="Mark all posted").click()
    expect(page.get_by_text("28 of 28 mailings changed.")).to_be_visible()
    shot("batch-posted")
    with fresh() as s:
        statuses = s.exec(select(Mailing.status, func.count()).group_by(Mailing.status)).all()
    assert statuses == [("posted", 28)]


def test_bad_input_is_shown_next_to_the_field(page, served, world, fresh, shot):
    sign_in(page, served, "teacher@example.org", PASSWORD)
    page.goto(f"{served}/mailings/new")
    page.get_by_label("How many").fill("501")
    page.get_by_label("Sent to").select_option("president")
    page.get_by_role("button", name="Log mail").click()
    count = page.get_by_label("How many")
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#count-error")).to_have_text("Enter a number from 1 to 500.")
    shot("error")
    with fresh() as s:
        assert s.exec(select(func.count()).select_from(Mailing)).one() == 0


def test_a_csv_export_downloads(page, served, world, make, shot):
    make.batch(world["coordinator"], count=3)
    sign_in(page, served, "teacher@example.org", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    shot("reports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Mailings (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # a BOM, so spreadsheets read UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 3 and "code" in rows[0]
