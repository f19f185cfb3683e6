"""Greeting phrases: staff add them, the campaign page shows them, greetings' slips print them."""

from sqlmodel import select

from app.services import campaigns
from models import Mailing
from models import Phrase
from models import PhraseCreate
from tests.conftest import csrf_token
from tests.conftest import field_error
from tests.conftest import page
from tests.qr import page_texts

THINKING = "Мы думаем о Вас!"
STRENGTH = "Желаем Вам сил в борьбе за справедливость"


def add_phrases(make, campaign):
    with make.session() as s:
        for n, (text, meaning) in enumerate(
            [
                (THINKING, "We're thinking of you"),
                (STRENGTH, "Wishing you strength in your fight for justice"),
            ]
        ):
            campaigns.save_phrase(
                session=s,
                campaign=campaign,
                data=PhraseCreate(text=text, meaning=meaning, language="ru", position=n),
            )


def test_staff_add_a_phrase_and_the_campaign_page_shows_it(client, auth, world, fresh):
    auth.login()
    url = "/campaigns/azimjan-askarov/phrases/new"
    response = client.post(
        url,
        data={
            "text": THINKING,
            "meaning": "We're thinking of you",
            "language": "ru",
            "position": "0",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 303
    with fresh() as s:
        phrase = s.exec(select(Phrase)).one()
    assert (phrase.text, phrase.language, phrase.campaign_id) == (
        THINKING,
        "ru",
        world["campaign"].id,
    )
    auth.logout()
    shown = page(client.get("/campaigns/azimjan-askarov")).select_one(".phrases q")
    assert shown.get_text() == THINKING and shown["lang"] == "ru"


def test_a_bad_language_code_is_refused_next_to_the_field(client, auth, world):
    auth.login()
    url = "/campaigns/azimjan-askarov/phrases/new"
    response = client.post(
        url, data={"text": THINKING, "language": "Russian", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422
    assert "language code" in field_error(response, "language")


def test_coordinators_cannot_edit_phrases(client, auth, world):
    auth.login("teacher@example.org")
    assert client.get("/campaigns/azimjan-askarov/phrases/new").status_code == 403


def test_a_greetings_slips_print_the_phrases_in_turn(client, auth, make, world, fresh):
    add_phrases(make, world["campaign"])
    batch = make.batch(world["coordinator"], count=2, channel="card", recipient="prisoner")
    auth.login("teacher@example.org")
    with fresh() as s:
        codes = list(
            s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id).order_by(Mailing.id))
        )
    greeting = page(client.get(f"/slips/{codes[0]}")).select_one(".slip-greeting").get_text()
    assert THINKING in greeting and "We're thinking of you" in greeting
    pdf_text = " ".join(page_texts(client.get(f"/batches/{batch.id}/slips.pdf").get_data()))
    assert THINKING in pdf_text and STRENGTH.split()[0] in pdf_text


def test_a_letter_to_the_president_carries_no_greeting(client, auth, make, world, fresh):
    add_phrases(make, world["campaign"])
    make.batch(world["coordinator"], count=1)
    auth.login("teacher@example.org")
    with fresh() as s:
        code = s.exec(select(Mailing.code)).one()
    assert page(client.get(f"/slips/{code}")).select_one(".slip-greeting") is None


def test_the_demo_has_the_russian_phrases(runner, client):
    runner.invoke(args=["demo"])
    texts = [
        q.get_text() for q in page(client.get("/campaigns/azimjan-askarov")).select(".phrases q")
    ]
    assert texts == [THINKING, STRENGTH]
