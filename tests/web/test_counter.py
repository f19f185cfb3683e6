"""Public counters and the public totals API: no cookie, no other origin, no small towns."""

import itertools
import re
from urllib.parse import urlsplit

import pytest

from app.services import campaigns
from app.services.totals import read as totals
from models import CampaignCreate
from models import Chapter
from models import ChapterCreate
from tests.conftest import page

COUNTER = "/counter/azimjan-askarov"
API = "/api/v1/campaigns/azimjan-askarov/totals"
_ids = itertools.count()


def log(make, user, **overrides):
    return make.batch(user, submission_id=f"c-{next(_ids)}", **overrides)


def open_counter(make, chapter):
    """Turn *chapter*'s public counter on, through the service staff use."""
    data = ChapterCreate(**{**chapter.model_dump(include=set(ChapterCreate.model_fields))})
    with make.session() as s:
        row = s.get(Chapter, chapter.id)
        campaigns.save_chapter(
            session=s, data=data.model_copy(update={"public_counter": True}), chapter=row
        )


@pytest.fixture
def mail(make, world):
    """Class 4B: 8 from Columbus; Leeds: 7; staff: 4 from Osh (KG) and 3 from Lyon (FR)."""
    log(make, world["coordinator"], count=8)
    log(
        make,
        world["other"],
        count=7,
        chapter="leeds",
        sender_town="Leeds",
        sender_country="GB",
        channel="card",
        recipient="prisoner",
    )
    log(make, world["staff"], count=4, sender_town="Osh", sender_country="KG")
    log(make, world["staff"], count=3, sender_town="Lyon", sender_country="FR")
    open_counter(make, world["class_4b"])
    return world


PUBLIC_PAGES = [
    COUNTER,
    COUNTER + "/embed",
    COUNTER + "/class-4b",
    COUNTER + "/class-4b/embed",
    API,
    API + "?chapter=class-4b",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_set_no_cookie_even_for_a_signed_in_reader(client, auth, mail, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "Set-Cookie" not in anonymous.headers
    auth.login("teacher@example.org")
    assert "Set-Cookie" in client.get("/mailings").headers  # a signed-in page refreshes it
    signed_in = client.get(url)
    assert signed_in.status_code == 200
    assert "Set-Cookie" not in signed_in.headers
    assert signed_in.headers["Cache-Control"] == "public, max-age=30"


OTHER_ORIGIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


@pytest.mark.parametrize("url", PUBLIC_PAGES[:4])
def test_counters_reference_no_other_origin_and_run_no_inline_script(client, mail, url):
    response = client.get(url)
    soup = page(response)
    for tag in soup.find_all(True):
        for attribute in ("src", "href", "action", "data", "poster", "srcset"):
            value = tag.get(attribute)
            if value:
                assert not OTHER_ORIGIN.match(value), (tag.name, value)
                assert not urlsplit(value).netloc, (tag.name, value)
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/js/counter.js"]
    assert all(s.string is None for s in soup.find_all("script"))
    assert soup.find("noscript").find("meta", attrs={"http-equiv": "refresh"})["content"] == "30"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    frames = "frame-ancestors *" if url.endswith("/embed") else "frame-ancestors 'self'"
    assert policy.endswith(frames)
    assert soup.find("form") is None and soup.find(attrs={"name": "csrf_token"}) is None


def test_the_counter_says_it_plainly(client, mail):
    soup = page(client.get(COUNTER + "/class-4b"))
    assert soup.select_one("[data-total]").get_text() == "8"
    assert soup.select_one("[data-line]").get_text() == (
        "Your class has sent 8 letters to help free Azimjan!"
    )
    assert soup.select_one(".counter-countries").get_text(strip=True) == "from 1 country"
    whole = page(client.get(COUNTER))
    assert whole.select_one("[data-total]").get_text() == "22"
    assert whole.select_one("[data-line]").get_text() == (
        "Together we have sent 22 letters to help free Azimjan!"
    )
    assert whole.select_one(".counter-countries").get_text(strip=True) == "from 4 countries"
    assert whole.select_one(".counter-goal").get_text() == "22% of our goal of 100"


def test_a_name_holding_the_counts_placeholder_stays_a_name(client, make):
    """The sentence marks the count's place with "{n}" for the page and the script: a
    prisoner named "{n}…" was shown with the count in place of the name."""
    campaign = make.campaign()
    make.recipient(campaign, key="prisoner", role="solidarity", name="{n}Azimjan Askarov")
    soup = page(client.get(COUNTER))
    shown = soup.select_one("[data-line]").get_text()
    assert shown.replace("\u200c", "") == "Together we have sent 0 letters to help free {n}Azimjan!"
    for sentence in ("data-line-one", "data-line-many"):
        assert soup.select_one(".counter")[sentence].count("{n}") == 1


def test_towns_and_countries_under_five_never_appear_in_public(client, mail):
    for url in PUBLIC_PAGES[:4]:
        text = client.get(url).get_data(as_text=True)
        assert "Osh" not in text and "Lyon" not in text, url
    soup = page(client.get(COUNTER))
    shaded = {e["data-country"] for e in soup.select("svg.worldmap [class*=shade]")}
    assert shaded == {"US", "GB"}  # KG has 4 and FR 3: not shaded alone
    body = client.get(API).get_json()
    assert body["by_country"] == {"US": 8, "GB": 7}
    assert body["other_countries"] == {"places": 2, "mailings": 7}
    assert "Osh" not in str(body) and "Lyon" not in str(body)
    assert not any("town" in key for key in body)  # the public body names no town


def test_no_ranking_of_chapters_or_classes_on_public_pages(client, mail):
    for url in PUBLIC_PAGES:
        text = client.get(url).get_data(as_text=True)
        assert "Leeds Group" not in text and "top_chapters" not in text, url
    assert "Class 4B" not in client.get(COUNTER).get_data(as_text=True)


def test_below_the_threshold_the_counter_encourages_and_shows_no_number(client, make, world, fresh):
    make.chapter(
        name="Class 2A",
        slug="class-2a",
        kind="class",
        town="Bern",
        country="CH",
        public_counter=True,
    )
    staff = world["staff"]
    log(make, staff, count=4, chapter="class-2a", sender_town="Bern", sender_country="CH")
    with make.session() as s:
        campaign = campaigns.get_campaign(s, "azimjan-askarov")
        data = {
            k: getattr(campaign, k)
            for k in (
                "title",
                "slug",
                "status",
                "starts_on",
                "country",
                "goal",
            )
        }
        campaigns.save_campaign(
            session=s, data=CampaignCreate(**data, counter_threshold=10), campaign=campaign
        )
    response = client.get(COUNTER + "/class-2a")
    soup = page(response)
    assert soup.select_one(".counter-figures").has_attr("hidden")
    assert soup.select_one("[data-total]").get_text() == ""
    assert soup.select_one("[data-line]").get_text() == (
        "Letters are on their way to help free Azimjan. Every letter counts: keep writing!"
    )
    visible = soup.select_one(".counter").get_text(" ", strip=True)
    assert not re.search(r"\b4\b", visible)
    assert client.get(API + "?chapter=class-2a").get_json()["counter_threshold"] == 10
    log(make, staff, count=6, chapter="class-2a", sender_town="Bern", sender_country="CH")
    shown = page(client.get(COUNTER + "/class-2a"))
    assert not shown.select_one(".counter-figures").has_attr("hidden")
    assert shown.select_one("[data-total]").get_text() == "10"


def test_a_chapter_counter_exists_only_when_the_chapter_turns_it_on(client, mail):
    assert client.get(COUNTER + "/leeds").status_code == 404
    assert client.get(COUNTER + "/leeds/embed").status_code == 404
    assert client.get(API + "?chapter=leeds").status_code == 404
    assert client.get(COUNTER + "/nobody").status_code == 404
    assert client.get(COUNTER + "/class-4b").status_code == 200


def test_unknown_and_draft_campaigns_have_no_counter(client, make, mail):
    make.campaign(slug="secret", title="Secret", status="draft")
    for url in ("/counter/secret", "/counter/nope", "/counter/secret/embed"):
        assert client.get(url).status_code == 404, url
    for url in ("/api/v1/campaigns/secret/totals", "/api/v1/campaigns/nope/totals"):
        response = client.get(url)
        assert response.status_code == 404 and response.is_json
        assert response.get_json()["errors"][0]["message"]


def test_the_api_is_cacheable_and_answers_304_when_unchanged(client, make, mail):
    first = client.get(API)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(API, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    log(make, mail["staff"], count=1)
    changed = client.get(API, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["total"] == 23


def test_the_api_gives_the_dashboards_numbers(client, mail, fresh):
    body = client.get(API).get_json()
    with fresh() as s:
        result = totals.summarize(s, mail["campaign"].id)
    assert body["total"] == result.total == 22
    assert body["goal"] == 100 and body["progress"] == 0.22
    assert body["by_channel"] == result.by_channel == {"letter": 15, "card": 7}
    assert body["by_role"] == {"appeal": 15, "solidarity": 7}
    assert body["by_day"] == {"2025-12-10": 22}
    assert body["countries"] == 4
    assert body["postage"]["USD"] == {"amount": "13.60", "amount_minor": 1360, "mailings": 8}
    assert body["postage"]["GBP"] == {"amount": "22.40", "amount_minor": 2240, "mailings": 7}
    assert sum(body["by_country"].values()) + body["other_countries"]["mailings"] == 22
    chapter = client.get(API + "?chapter=class-4b").get_json()
    assert chapter["chapter"] == {
        "slug": "class-4b",
        "name": "Class 4B",
        "kind": "class",
        "goal": None,
    }
    assert chapter["total"] == 8


def test_the_totals_model_documents_every_field():
    from app.api.totals import CampaignTotals

    schema = CampaignTotals.model_json_schema()
    assert "by_town" not in schema["properties"]
    assert {"total", "goal", "by_channel", "by_role", "by_country", "by_day", "postage"} <= set(
        schema["required"]
    )
    assert schema["$defs"]["PostageTotal"]["properties"]["amount"]["type"] == "string"
