"""A coordinator logs a batch through the form, lists it, and marks it posted."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func
from sqlmodel import select

from models import Batch
from models import Mailing
from models import MailingEvent
from tests.conftest import csrf_token
from tests.conftest import field_error
from tests.conftest import page


@pytest.fixture
def teacher(client, auth, world):
    auth.login("teacher@example.org")
    return client


def form_fields(response) -> dict[str, str]:
    """Read the values a browser would send from the logging form as shown."""
    soup = page(response)
    values = {}
    for control in soup.select("form.log-form input, form.log-form select"):
        name = control.get("name")
        if control.name == "select":
            chosen = control.find("option", selected=True) or control.find("option")
            values[name] = chosen["value"] if chosen else ""
        elif control.get("type") == "checkbox":
            if control.has_attr("checked"):
                values[name] = control.get("value", "y")
        else:
            values[name] = control.get("value", "")
    return values


def rows(fresh, *where):
    with fresh() as s:
        return s.exec(select(Mailing).where(*where)).all()


def test_the_form_is_prefilled_from_the_coordinators_chapter(teacher):
    values = form_fields(teacher.get("/mailings/new"))
    assert values["campaign"] == "azimjan-askarov"
    assert values["chapter"] == "class-4b"
    assert values["sender_town"] == "Columbus"
    assert values["sender_country"] == "US"
    assert values["sent_on"] == dt.date.today().isoformat()
    assert values["submission_id"]


def test_a_coordinator_logs_28_letters_and_sees_the_batch(teacher, fresh):
    values = form_fields(teacher.get("/mailings/new"))
    values |= {
        "recipient": "president",
        "channel": "letter",
        "count": "28",
        "sent_on": "2025-12-10",
    }
    response = teacher.post("/mailings/new", data=values)
    assert response.status_code == 303
    with fresh() as s:
        batch = s.exec(select(Batch)).one()
    assert response.headers["Location"] == f"/batches/{batch.id}"
    mailings = rows(fresh)
    assert len(mailings) == 28 and {m.batch_id for m in mailings} == {batch.id}
    shown = page(teacher.get(response.headers["Location"]))
    assert "28 × Letter to President Almazbek Atambaev" in shown.h1.get_text(" ", strip=True)
    codes = {c.get_text() for c in shown.select("table code")}
    assert len(codes) == 28
    assert {m.code[:4] + "-" + m.code[4:8] + "-" + m.code[8:] for m in mailings} == codes


def test_a_double_click_logs_one_batch(teacher, fresh):
    values = form_fields(teacher.get("/mailings/new"))
    values |= {"recipient": "president", "count": "28", "sent_on": "2025-12-10"}
    first = teacher.post("/mailings/new", data=values)
    second = teacher.post("/mailings/new", data=values)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(rows(fresh)) == 28


def test_twenty_simultaneous_sends_of_one_form_make_one_batch(app, teacher, fresh):
    values = form_fields(teacher.get("/mailings/new"))
    values |= {"recipient": "president", "count": "28", "sent_on": "2025-12-10"}
    cookie = teacher.get_cookie("session").value
    barrier = threading.Barrier(20)
    answers, failures = [], []

    def send():
        browser_tab = app.test_client()
        browser_tab.set_cookie("session", cookie)
        barrier.wait()
        try:
            response = browser_tab.post("/mailings/new", data=values)
            answers.append((response.status_code, response.headers.get("Location")))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with fresh() as s:
        (batch,) = s.exec(select(Batch)).all()
    assert set(answers) == {(303, f"/batches/{batch.id}")}
    assert len(rows(fresh)) == 28


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"count": "0"}, "count", "1 to 500"),
        ({"count": "501"}, "count", "1 to 500"),
        ({"sender_country": "ZZ"}, "sender_country", "country"),
        ({"sent_on": "2099-01-01"}, "sent_on", "future"),
        ({"sent_on": "2025-11-01"}, "sent_on", "campaign started"),
        ({"recipient": ""}, "recipient", "recipient"),
        ({"sender_town": "x" * 81}, "sender_town", "80"),
        ({"chapter": "leeds"}, "chapter", "your chapter"),
        ({"weight_g": "0"}, "weight_g", "grams"),
    ],
)
def test_bad_input_shows_next_to_the_field_and_writes_nothing(
    teacher, fresh, changes, field, message
):
    values = form_fields(teacher.get("/mailings/new"))
    values |= {"recipient": "president", "count": "3", "sent_on": "2025-12-10"} | changes
    response = teacher.post("/mailings/new", data=values)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert rows(fresh) == []


def test_a_closed_campaign_takes_no_mail(teacher, fresh, make, world):
    with make.session() as s:
        from app.services import campaigns as svc

        campaign = svc.get_campaign(s, "azimjan-askarov")
        campaign.status = "closed"
        s.add(campaign)
        s.commit()
    data = {
        "campaign": "azimjan-askarov",
        "recipient": "president",
        "channel": "letter",
        "count": "1",
        "sent_on": "2025-12-10",
        "sender_town": "Columbus",
        "sender_country": "US",
        "submission_id": "abc",
        "csrf_token": csrf_token(teacher, "/mailings/new"),
    }
    response = teacher.post("/mailings/new", data=data)
    assert response.status_code == 422
    assert "closed" in field_error(response, "campaign")


def test_logging_without_a_csrf_token_is_refused(teacher, fresh):
    values = form_fields(teacher.get("/mailings/new"))
    values |= {"recipient": "president", "count": "3", "sent_on": "2025-12-10"}
    del values["csrf_token"]
    assert teacher.post("/mailings/new", data=values).status_code == 400
    assert rows(fresh) == []


def test_mark_the_batch_posted_then_undo(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=28)
    url = f"/batches/{batch.id}/status"
    token = csrf_token(teacher, f"/batches/{batch.id}")
    response = teacher.post(url, data={"action": "posted", "csrf_token": token})
    assert response.status_code == 303
    assert len(rows(fresh, Mailing.status == "posted")) == 28
    shown = page(teacher.get(f"/batches/{batch.id}"))
    assert "28 of 28 mailings changed." in shown.get_text()
    teacher.post(url, data={"action": "undo", "csrf_token": token})
    assert len(rows(fresh, Mailing.status == "logged")) == 28
    with fresh() as s:
        assert s.exec(select(func.count()).select_from(MailingEvent)).one() == 56


def test_one_mailing_is_voided_from_its_page(teacher, make, world, fresh):
    batch = make.batch(world["coordinator"], count=2)
    code = rows(fresh)[0].code
    token = csrf_token(teacher, f"/mailings/{code}")
    teacher.post(f"/mailings/{code}/status", data={"action": "void", "csrf_token": token})
    assert rows(fresh, Mailing.code == code)[0].status == "void"
    response = teacher.post(
        f"/mailings/{code}/status", data={"action": "posted", "csrf_token": token}
    )
    assert "cannot be marked posted" in page(teacher.get(response.headers["Location"])).get_text()
    history = page(teacher.get(f"/mailings/{code}")).select(".history li")
    assert len(history) == 2 and "teacher@example.org" in history[1].get_text()
    assert batch.id


def test_codes_are_found_in_any_case_and_with_dashes(teacher, make, world, fresh):
    make.batch(world["coordinator"], count=1)
    code = rows(fresh)[0].code
    typed = (code[:4] + "-" + code[4:8] + "-" + code[8:]).lower()
    response = teacher.get(f"/mailings/{typed}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/mailings/{code}"


def test_another_chapters_mailing_and_batch_are_404(teacher, make, world, fresh):
    batch = make.batch(world["other"], sender_town="Leeds", sender_country="GB")
    code = rows(fresh)[0].code
    token = csrf_token(teacher, "/mailings")
    assert teacher.get(f"/mailings/{code}").status_code == 404
    assert teacher.get(f"/batches/{batch.id}").status_code == 404
    assert (
        teacher.post(
            f"/batches/{batch.id}/status", data={"action": "void", "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        teacher.post(
            f"/mailings/{code}/status", data={"action": "void", "csrf_token": token}
        ).status_code
        == 404
    )
    assert rows(fresh, Mailing.status == "void") == []
    assert code not in teacher.get("/mailings").get_data(as_text=True)


def test_the_list_filters_and_pages(app, client, auth, make, world):
    make.batch(world["staff"], "a", count=30, chapter="class-4b")
    make.batch(
        world["staff"],
        "b",
        count=30,
        channel="card",
        recipient="prisoner",
        sent_on=dt.date(2025, 12, 20),
        chapter="leeds",
    )
    auth.login()
    first = page(client.get("/mailings"))
    assert len(first.select("tbody tr")) == 50
    older = first.find("a", string="Older mailings")["href"]
    assert len(page(client.get(older)).select("tbody tr")) == 10
    cards = page(client.get("/mailings?channel=card&chapter=leeds"))
    assert len(cards.select("tbody tr")) == 30
    dated = page(client.get("/mailings?since=2025-12-15&until=2025-12-31"))
    assert len(dated.select("tbody tr")) == 30
    bad = client.get("/mailings?since=yesterday")
    assert bad.status_code == 422
    assert "Enter a date" in page(bad).find(id="f-since-error").get_text()


@pytest.mark.parametrize("before", ["99999999999999999999999", "-5", "abc"])
def test_a_hand_edited_page_link_is_never_a_500(client, auth, make, world, before):
    make.batch(world["staff"], count=2)
    auth.login()
    assert client.get(f"/mailings?before={before}").status_code == 200
