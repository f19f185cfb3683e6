"""The privacy page, and no public page or JSON telling who logged mail or from where."""

import itertools

import pytest
from sqlmodel import select

from models import Mailing
from tests.conftest import page
from tests.web.test_counter import open_counter

_ids = itertools.count()
EMAIL = "ulrike.krzyzanowska@hillside-school.example"
TINY_TOWN = "Wiggleswick-on-Tarn"  # 4 mailings: under the public minimum of 5
BIG_TOWN = "Columbus"  # 8 mailings: named on public pages


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "What Lettertrail stores, and what it never stores"),
        ("fr", "Ce que Lettertrail garde, et ce qu’il ne garde jamais"),
        ("es", "Lo que Lettertrail guarda y lo que nunca guarda"),
    ],
)
def test_privacy_page_says_what_is_stored_in_each_language(client, lang, heading):
    response = client.get(f"/privacy?lang={lang}")
    assert response.status_code == 200
    soup = page(response)
    assert soup.h1.get_text(strip=True) == heading
    assert len(soup.select("main h2")) == 4
    assert len(soup.select("main li")) >= 12
    # The threshold is the one the code applies.
    assert "5" in soup.select("main ul")[2].get_text()


def test_privacy_page_is_linked_from_every_pages_footer(client):
    for url in ("/", "/privacy", "/login", "/postage"):
        response = client.get(url)
        assert response.status_code == 200, url
        links = [a["href"] for a in page(response).select("footer a")]
        assert "/privacy" in links, url


def test_privacy_page_says_it_in_plain_words(client):
    text = page(client.get("/privacy?lang=en")).main.get_text(" ", strip=True)
    for words in ("child's name", "photo", "Street addresses", "trackers", "email address"):
        assert words in text


@pytest.fixture
def logged(make, world):
    coordinator = make.user(EMAIL, role="coordinator", chapter=world["class_4b"])
    make.batch(coordinator, submission_id=f"p-{next(_ids)}", count=8, sender_town=BIG_TOWN)
    make.batch(
        coordinator,
        submission_id=f"p-{next(_ids)}",
        count=4,
        sender_town=TINY_TOWN,
        sender_country="GB",
    )
    make.batch(world["staff"], submission_id=f"p-{next(_ids)}", count=2, sender_town="Osh")
    open_counter(make, world["class_4b"])
    with make.session() as s:
        codes = [m.code for m in s.exec(select(Mailing).order_by(Mailing.id)).all()]
    return codes


def test_no_public_page_or_json_names_a_user_or_a_small_town(client, world, logged):
    slug = "azimjan-askarov"
    urls = [
        "/",
        "/privacy",
        f"/campaigns/{slug}",
        f"/counter/{slug}",
        f"/counter/{slug}/embed",
        f"/counter/{slug}/class-4b",
        f"/counter/{slug}/class-4b/embed",
        "/api/v1/campaigns",
        f"/api/v1/campaigns/{slug}/totals",
        f"/api/v1/campaigns/{slug}/totals?chapter=class-4b",
        *(f"/m/{code}" for code in logged),
    ]
    forbidden = [
        EMAIL,
        EMAIL.split("@")[0],
        "teacher@example.org",
        "leeds@example.org",
        "staff@example.org",
        TINY_TOWN,
        TINY_TOWN.casefold(),
        "Osh",
    ]
    seen_big_town = False
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for word in forbidden:
            assert word not in body, f"{word!r} on {url}"
        seen_big_town |= BIG_TOWN in body
    # The check can see a town: one that has enough mailings is shown.
    assert seen_big_town
