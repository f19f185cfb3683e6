"""Slips: the HTML slip, the batch's PDF sheet, where a scanned code leads, the tally."""

import pytest
from sqlmodel import select

from models import Mailing
from models import MailingEvent
from tests.conftest import csrf_token
from tests.conftest import page
from tests.qr import decode
from tests.qr import page_texts
from tests.qr import render
from tests.qr import svg_through_fpdf2

BASE = "http://localhost"  # PUBLIC_BASE_URL in the test app


def codes_of(fresh, batch_id):
    with fresh() as s:
        rows = s.exec(select(Mailing).where(Mailing.batch_id == batch_id).order_by(Mailing.id))
        return [m.code for m in rows]


@pytest.fixture
def teacher(client, auth, world):
    auth.login("teacher@example.org")
    return client


def test_the_html_slip_carries_a_qr_that_decodes_to_its_url(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=1)
    (code,) = codes_of(fresh, batch.id)
    response = teacher.get(f"/slips/{code}")
    assert response.status_code == 200
    soup = page(response)
    # The SVG exactly as served (an HTML parser would lower-case its viewBox).
    html = response.get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    (found,) = decode(svg_through_fpdf2(svg))
    assert found.text == f"{BASE}/m/{code}"
    assert found.ec_level in {"M", "Q", "H"}
    slip = soup.select_one(".slip").get_text(" ", strip=True)
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in slip
    lines = [line.strip() for line in soup.select_one(".slip-address").stripped_strings]
    assert lines == [
        "President Almazbek Atambaev",
        "Government House",
        "Prospekt Chuy 205",
        "Bishkek 720003",
        "KYRGYZSTAN / КЫРГЫЗСТАН",
    ]
    assert "Postage: $1.70. 1 Global Forever stamp" in slip
    assert "Free Azimjan Askarov" in slip and "Letter" in slip and "posted" in slip


def test_the_batch_sheet_prints_28_slips_whose_qrs_all_decode(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=28)
    codes = codes_of(fresh, batch.id)
    response = teacher.get(f"/batches/{batch.id}/slips.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    pages = render(pdf, dpi=200)
    assert len(pages) == 4  # 8 slips to a page
    found = [code.text for image in pages for code in decode(image)]
    assert sorted(found) == sorted(f"{BASE}/m/{code}" for code in codes)
    text = " ".join(page_texts(pdf))
    assert "KYRGYZSTAN" in text and "Global Forever" in text
    # The class is in the US: Letter paper (8.5 x 11 in = 612 x 792 pt) by default.
    assert pages[0].size == (round(612 * 200 / 72), round(792 * 200 / 72))


def test_the_sheet_paper_can_be_chosen(teacher, make, world):
    batch = make.batch(world["coordinator"], count=1)
    a4 = render(teacher.get(f"/batches/{batch.id}/slips.pdf?paper=A4").get_data(), dpi=72)
    assert a4[0].size in {(595, 842), (596, 842)}  # 210 x 297 mm is 595.28 x 841.89 pt
    assert teacher.get(f"/batches/{batch.id}/slips.pdf?paper=A3").status_code == 400


def test_the_batch_page_links_its_sheet(teacher, make, world):
    batch = make.batch(world["coordinator"], count=2)
    form = page(teacher.get(f"/batches/{batch.id}")).select_one("form.sheet-form")
    assert form["action"] == f"/batches/{batch.id}/slips.pdf"
    assert form.select_one("option[selected]")["value"] == "Letter"


def test_another_chapters_slip_and_sheet_are_404(teacher, make, world, fresh):
    batch = make.batch(world["other"], sender_town="Leeds", sender_country="GB")
    (code, *_) = codes_of(fresh, batch.id)
    assert teacher.get(f"/slips/{code}").status_code == 404
    assert teacher.get(f"/batches/{batch.id}/slips.pdf").status_code == 404


def test_the_scan_page_tells_anyone_what_was_sent_and_sets_no_cookie(client, make, world, fresh):
    batch = make.batch(world["coordinator"], count=2)
    code = codes_of(fresh, batch.id)[0]
    response = client.get(f"/m/{code.lower()[:4]}-{code[4:8]}-{code[8:]}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    text = page(response).get_text(" ", strip=True)
    assert "Letter to President Almazbek Atambaev" in text
    assert "Free Azimjan Askarov" in text and "logged" in text
    # Two mailings from Columbus: fewer than 5, so the town is not named to the public.
    assert "Columbus" not in text and "fewer than 5" in text
    assert "teacher@example.org" not in text and "Class 4B" not in text
    assert page(response).find("button") is None


def test_a_town_with_five_mailings_is_named(client, make, world, fresh):
    batch = make.batch(world["coordinator"], count=5)
    code = codes_of(fresh, batch.id)[0]
    assert "Columbus" in page(client.get(f"/m/{code}")).get_text()


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "nonsense", "7KQ2-M9XA-3U"])
def test_unknown_and_malformed_codes_get_the_same_friendly_404(client, code):
    response = client.get(f"/m/{code}")
    assert response.status_code == 404
    assert "could not find" in response.get_data(as_text=True)


def test_the_chapters_coordinator_marks_it_posted_from_the_scan(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=3)
    code = codes_of(fresh, batch.id)[0]
    scan = page(teacher.get(f"/m/{code}"))
    form = scan.find("button", string="Mark posted").find_parent("form")
    data = {i["name"]: i["value"] for i in form.select("input")}
    response = teacher.post(form["action"], data=data)
    assert response.headers["Location"] == f"/m/{code}"
    with fresh() as s:
        assert s.exec(select(Mailing.status).where(Mailing.code == code)).one() == "posted"
        event = s.exec(select(MailingEvent)).one()
        assert (event.action, event.user_id) == ("posted", world["coordinator"].id)
    undo = page(teacher.get(f"/m/{code}")).find("button", string="Undo").find_parent("form")
    teacher.post(undo["action"], data={i["name"]: i["value"] for i in undo.select("input")})
    whole = page(teacher.get(f"/m/{code}")).find("button", string="Mark the whole batch posted")
    form = whole.find_parent("form")
    teacher.post(form["action"], data={i["name"]: i["value"] for i in form.select("input")})
    with fresh() as s:
        assert set(s.exec(select(Mailing.status))) == {"posted"}


def test_marking_a_void_mailing_posted_is_refused_with_a_message(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=1)
    (code,) = codes_of(fresh, batch.id)
    token = csrf_token(teacher, f"/m/{code}")
    teacher.post(f"/mailings/{code}/status", data={"action": "void", "csrf_token": token})
    response = teacher.post(
        f"/mailings/{code}/status",
        data={"action": "posted", "csrf_token": token, "next": f"/m/{code}"},
    )
    shown = page(teacher.get(response.headers["Location"])).get_text()
    assert "cannot be marked posted" in shown


def test_another_chapter_sees_the_scan_but_cannot_change_it(client, auth, make, world, fresh):
    batch = make.batch(world["coordinator"], count=1)
    (code,) = codes_of(fresh, batch.id)
    auth.login("leeds@example.org")
    assert page(client.get(f"/m/{code}")).find("button", string="Mark posted") is None
    token = csrf_token(client, "/mailings")
    assert (
        client.post(
            f"/mailings/{code}/status", data={"action": "posted", "csrf_token": token}
        ).status_code
        == 404
    )


def test_the_tally_sheet_lists_the_campaigns_recipients(teacher):
    response = teacher.get("/campaigns/azimjan-askarov/tally.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page_texts(response.get_data()))
    assert "President Almazbek Atambaev" in text and "Azimjan Askarov" in text
    assert "Greeting card" in text and "Drawing" in text


def test_void_mail_does_not_make_a_town_public(client, make, world, fresh):
    from app.services.mailings import status as mailing_status

    batch = make.batch(world["coordinator"], count=5)
    with make.session() as s:
        rows = list(s.exec(select(Mailing).where(Mailing.batch_id == batch.id)))
        mailing_status.change_status(
            session=s, mailings=rows[:1], action="void", user=world["staff"]
        )
    code = codes_of(fresh, batch.id)[1]
    assert "Columbus" not in page(client.get(f"/m/{code}")).get_text()
