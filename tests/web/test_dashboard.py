"""The dashboard: staff see the campaign, coordinators their chapter's share beside it."""

import datetime as dt
import itertools
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app.services.mailings import status as mailing_status
from models import Campaign
from models import Mailing
from tests.conftest import page

URL = "/dashboard/azimjan-askarov"
_ids = itertools.count()


def log(make, user, **overrides):
    return make.batch(user, submission_id=f"d-{next(_ids)}", **overrides)


@pytest.fixture
def mail(make, world):
    """Class 4B sent 6 letters and 2 drawings; Leeds 7 cards; staff logged 3 without a chapter."""
    log(make, world["coordinator"], count=6, sent_on=dt.date(2025, 12, 1))
    log(make, world["coordinator"], count=2, channel="drawing", recipient="prisoner")
    log(
        make,
        world["other"],
        count=7,
        channel="card",
        recipient="prisoner",
        chapter="leeds",
        sender_town="Leeds",
        sender_country="GB",
        sent_on=dt.date(2025, 12, 20),
    )
    voided = log(make, world["staff"], count=3, sender_town="Bishkek", sender_country="KG")
    with make.session() as s:
        rows = s.exec(select(Mailing).where(Mailing.batch_id == voided.id)).all()
        mailing_status.change_status(
            session=s, mailings=list(rows), action="void", user=world["staff"]
        )
    log(make, world["staff"], count=2, sender_town="Osh", sender_country="KG")
    return world


def figures(response) -> dict[str, str]:
    soup = page(response)
    return {
        f.select_one(".figure-label").get_text(" ", strip=True): f.select_one(
            ".figure-number"
        ).get_text(strip=True)
        for f in soup.select(".figure")
        if f.select_one(".figure-number")
    }


def table(response, caption: str) -> dict[str, list[str]]:
    soup = page(response)
    found = next(t for t in soup.select("table") if t.caption and caption in t.caption.text)
    return {
        tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in found.tbody.find_all("tr")
        if tr.th
    }


def test_signing_in_is_needed(client, mail):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(URL + "/totals.csv").status_code == 302


def test_staff_see_the_whole_campaign_and_the_top_chapters(client, auth, mail):
    auth.login()
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert figures(response) == {"Whole campaign": "17"}  # the 3 void are not counted
    channels = table(response, "what was sent")
    assert {k: v[0] for k, v in channels.items()} == {
        "Greeting card": "7",
        "Letter": "8",
        "Drawing": "2",
    }
    chapters = table(response, "chapters with the most mailings")
    assert chapters == {"Class 4B": ["8"], "Leeds Group": ["7"]}
    assert list(chapters) == ["Class 4B", "Leeds Group"]
    link = page(response).find("a", string="Leeds Group")["href"]
    assert parse_qs(urlsplit(link).query) == {"chapter": ["leeds"]}


def test_a_coordinator_sees_the_chapters_share_beside_the_campaign(teacher_client, mail):
    response = teacher_client.get(URL)
    assert response.status_code == 200
    assert figures(response) == {"Class 4B": "8", "Whole campaign": "17"}
    channels = table(response, "what was sent")
    assert channels["Letter"] == ["6", "8"]
    assert channels["Greeting card"] == ["0", "7"]
    assert "chapters with the most mailings" not in response.get_data(as_text=True)
    # The chapter filter is not offered, and another chapter's share is not theirs to see.
    assert page(response).find(attrs={"name": "chapter"}) is None
    assert teacher_client.get(URL + "?chapter=leeds").status_code == 404
    assert teacher_client.get(URL + "/totals.json?chapter=leeds").status_code == 404
    assert teacher_client.get(URL + "?chapter=class-4b").status_code == 200


@pytest.fixture
def teacher_client(client, auth, world):
    auth.login("teacher@example.org")
    return client


def test_filters_narrow_the_numbers_and_the_exports_keep_them(client, auth, mail):
    auth.login()
    query = "?chapter=class-4b&channel=letter&since=2025-12-01&until=2025-12-31"
    response = client.get(URL + query)
    assert figures(response) == {"Class 4B": "6", "Whole campaign": "8"}  # + 2 from Osh
    soup = page(response)
    wanted = parse_qs(query[1:])
    for name in ("CSV", "JSON"):
        link = soup.find("a", string=name)["href"]
        assert parse_qs(urlsplit(link).query) == wanted, name
    body = client.get(soup.find("a", string="JSON")["href"]).get_json()
    assert body["filters"] == {
        "chapter": "class-4b",
        "channel": "letter",
        "since": "2025-12-01",
        "until": "2025-12-31",
    }
    assert body["chapter_totals"]["total"] == 6 and body["campaign_totals"]["total"] == 8
    assert body["chapter_totals"]["by_day"] == {"2025-12-01": 6}


def test_the_csv_holds_the_same_numbers(client, auth, mail):
    auth.login()
    response = client.get(URL + "/totals.csv?channel=card")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="azimjan-askarov-totals.csv"'
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text == (
        "\ufeffscope,section,key,label,mailings,amount,currency\r\n"
        "campaign,total,,,7,,\r\n"
        "campaign,goal,,,100,,\r\n"
        'campaign,status,logged,"logged, not yet posted",7,,\r\n'
        "campaign,channel,card,Greeting card,7,,\r\n"
        "campaign,role,solidarity,Greetings to the prisoner,7,,\r\n"
        "campaign,recipient,prisoner,Azimjan Askarov,7,,\r\n"
        "campaign,country,GB,United Kingdom,7,,\r\n"
        "campaign,town,GB/leeds,Leeds,7,,\r\n"
        "campaign,day,2025-12-20,,7,,\r\n"
        "campaign,postage,GBP,,7,22.40,GBP\r\n"
        "campaign,chapter,leeds,Leeds Group,7,,\r\n"
    )


def test_towns_under_five_are_folded_and_typed_text_cannot_be_a_formula(client, auth, mail, make):
    log(make, mail["staff"], count=2, sender_town="=HYPERLINK(1)", sender_country="FR")
    auth.login()
    towns = table(client.get(URL), "Towns with the most mailings")
    assert "Osh KG" not in towns and "=HYPERLINK(1) FR" not in towns
    assert towns["Other towns 2 towns"] == ["4"]
    log(make, mail["staff"], count=5, sender_town="=HYPERLINK(1)", sender_country="FR")
    csv_text = client.get(URL + "/totals.csv").get_data(as_text=True)
    assert "campaign,town,FR/=hyperlink(1),'=HYPERLINK(1),7,," in csv_text


def test_a_bad_filter_is_explained_not_a_crash(client, auth, mail):
    auth.login()
    response = client.get(URL + "?since=yesterday&channel=pigeon")
    assert response.status_code == 422
    soup = page(response)
    assert soup.find(id="f-since-error").get_text(strip=True) == "Enter a date like 2025-12-10."
    assert client.get(URL + "/totals.json?since=nope").status_code == 422
    assert client.get(URL + "?chapter=nobody").status_code == 422


def test_unknown_and_draft_campaigns(client, auth, mail, make, fresh):
    auth.login("teacher@example.org")
    assert client.get("/dashboard/nope").status_code == 404
    make.campaign(slug="secret", title="Secret", status="draft")
    assert client.get("/dashboard/secret").status_code == 404
    with fresh() as s:
        assert s.exec(select(Campaign).where(Campaign.slug == "secret")).one()


def test_the_page_draws_charts_with_text_alternatives(client, auth, mail):
    auth.login()
    soup = page(client.get(URL))
    for svg in soup.select("svg.days, svg.worldmap"):
        assert svg["role"] == "img"
        labels = [soup.find(id=i) for i in svg["aria-labelledby"].split()]
        assert all(label is not None and label.get_text(strip=True) for label in labels)
    shaded = {p["data-country"]: p.get("class") for p in soup.select("svg.worldmap [class]")}
    assert shaded["GB"] == ["shade-1"] and shaded["US"] == ["shade-1"]
    assert "Mail came from 3 countries" in soup.select_one("svg.worldmap desc").text
    assert not soup.find("script")


def test_the_json_is_the_pages_numbers(client, auth, mail):
    auth.login()
    body = json.loads(client.get(URL + "/totals.json").get_data(as_text=True))
    whole = body["campaign_totals"]
    assert whole["total"] == 17 and whole["by_status"] == {"logged": 17, "void": 3}
    assert whole["by_country"] == {"US": 8, "GB": 7, "KG": 2}
    assert whole["by_town"] == [
        {"town": "Columbus", "country": "US", "mailings": 8},
        {"town": "Leeds", "country": "GB", "mailings": 7},
    ]
    assert whole["other_towns"] == {"towns": 1, "mailings": 2}
    assert [c["slug"] for c in whole["top_chapters"]] == ["class-4b", "leeds"]


def test_the_campaign_page_links_its_counter_and_dashboard(client, auth, mail):
    anonymous = page(client.get("/campaigns/azimjan-askarov"))
    hrefs = {a["href"] for a in anonymous.find_all("a")}
    assert "/counter/azimjan-askarov" in hrefs and URL not in hrefs
    auth.login("teacher@example.org")
    signed_in = page(client.get("/campaigns/azimjan-askarov"))
    assert URL in {a["href"] for a in signed_in.find_all("a")}
    nav = page(client.get("/mailings")).find("nav")
    assert nav.find("a", string="Dashboard")["href"] == "/dashboard"
    assert client.get("/dashboard").headers["Location"] == URL  # the only campaign


def test_the_dashboard_index_lists_the_campaigns(client, auth, mail, make):
    make.campaign(slug="other-case", title="Other case")
    make.campaign(slug="secret", title="Secret", status="draft")
    auth.login("teacher@example.org")
    links = [a["href"] for a in page(client.get("/dashboard")).select("main li a")]
    assert links == ["/dashboard/other-case", URL]
