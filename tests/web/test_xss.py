"""Hostile text (S10): what people type is stored as typed and shown as text, never run.

A corpus of payloads goes into every free-text field through the real forms, the CSV
import and the API. Every page that shows a field (public, staff and coordinator),
every form that holds one, every flash message naming one, every JSON answer, CSV and
XLSX export and PDF sheet is then read back: HTML must show the payload literally as
text, with no script, event handler, inline style or off-site or ``javascript:`` link
of its making, and no template evaluated; machine formats must parse and hold it as
data. Refused forms, imports and API calls, and query strings, answer it as text too.

Invisible characters (zero-width, direction controls) are dropped from free text so
one town tallies once and no name can reorder a page; text the database cannot store
(a NUL) is refused at the boundary, never a 500.
"""

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import func
from sqlmodel import select

from app.services import accounts
from models import ApiToken
from models import Campaign
from models import Chapter
from models import Mailing
from models import Phrase
from models import Recipient
from models import User
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import field_error
from tests.conftest import page
from tests.qr import page_texts
from tests.web.test_counter import open_counter

SLUG = "azimjan-askarov"


def post(client, url, data):
    """Submit the form at *url* with its CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def rows(fresh, model) -> int:
    with fresh() as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- the forms that store free text -----------------------------------------------------

CAMPAIGN_FORM = {
    "title": "Free Azimjan Askarov",
    "slug": "second-case",
    "summary": "A human rights defender.",
    "guidance": "Write politely.",
    "status": "active",
    "starts_on": "2025-11-20",
    "country": "KG",
}
RECIPIENT_FORM = {
    "key": "embassy",
    "role": "copy",
    "name": "Embassy of Kyrgyzstan",
    "salutation": "Your Excellency",
    "address_lines": "2360 Massachusetts Ave NW",
    "city": "Washington",
    "postcode": "20008",
    "country": "US",
    "fax": "",
    "email": "",
}
PHRASE_FORM = {"text": "Мы думаем о Вас!", "meaning": "We think of you", "language": "ru"}
CHAPTER_FORM = {
    "name": "Hillside",
    "slug": "hillside",
    "kind": "school",
    "town": "Columbus",
    "country": "US",
}
TOKEN_FORM = {"label": "script"}
USER_FORM = {"email": "new@example.org", "role": "staff", "chapter": ""}
MAILING_FORM = {
    "campaign": SLUG,
    "recipient": "president",
    "channel": "letter",
    "count": "5",
    "sent_on": "2025-12-10",
    "sender_town": "Bishkek",
    "sender_country": "KG",
    "chapter": "",
    "kind": "",
}
# Every form that stores free text: its URL, a good submission, the table it writes,
# and its free-text fields. (The logging form's one, the sender's town, is below.)
TEXT_FORMS = [
    ("/campaigns/new", CAMPAIGN_FORM, Campaign, ("title", "summary", "guidance")),
    (
        f"/campaigns/{SLUG}/recipients/new",
        RECIPIENT_FORM,
        Recipient,
        ("name", "salutation", "address_lines", "city", "postcode", "fax", "email"),
    ),
    (f"/campaigns/{SLUG}/phrases/new", PHRASE_FORM, Phrase, ("text", "meaning")),
    ("/chapters/new", CHAPTER_FORM, Chapter, ("name", "town")),
    ("/account/tokens", TOKEN_FORM, ApiToken, ("label",)),
    ("/users/new", USER_FORM, User, ("email",)),
]


# --- the corpus ----------------------------------------------------------------------------

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "double-quoted attribute": '" onmouseover="alert(1)',
    "single-quoted attribute": "' onfocus='alert(1)' autofocus x='",
    "javascript url": "javascript:alert(1)",
    "end of textarea": "</textarea><script>x</script>",
    "image": "'><img src=x onerror=alert(1)>",
    "svg": "<svg/onload=alert(1)>",
    "end of title": "</title><script>alert(1)</script>",
    "template": "{{7*7}} {{1234*5678}} ${7*7} {% raw %}",
    # No spaces: the counter names the prisoner by the first word of the name.
    "format string": "{n}{nb}%(title)s%s{0}",
    "entities": "&lt;b&gt; &amp; &#60;i&#62;",
    "comment and cdata": "<!-- --> <![CDATA[x]]>",
    "json breaker": '"}]</script>\u2028\u2029\\',
    "right-to-left letters": "بشكيك Ош",
}
# What a template engine would make of the "template" payload: never shown.
EVALUATED = ("49", "7006652")
CHAPTER_SLUG = "xss-chapter"
IMPORT_HEADER = ["campaign", "recipient", "channel", "sender_town", "sender_country", "sent_on"]
IMPORT_HEADER += ["count"]
API_MAILING = {
    "campaign": SLUG,
    "recipient": "president",
    "channel": "letter",
    "sender_country": "KG",
    "sent_on": "2025-12-10",
    "count": 5,
}


def import_lines(client, lines: list[list[str]], action: str = "check"):
    """Send the import form a CSV file of *lines* under the usual header."""
    text = io.StringIO()
    csv.writer(text).writerows([IMPORT_HEADER, *lines])
    data = {
        "csrf_token": csrf_token(client, "/reports"),
        "action": action,
        "file": (io.BytesIO(text.getvalue().encode()), "tally.csv"),
    }
    return client.post("/reports/import", data=data)


def tagged(tag: str, payload: str, limit: int) -> str:
    """The payload behind a tag naming its field, cut to the field's length."""
    return f"{tag}:{payload}"[:limit]


@pytest.fixture
def stored(request, client, auth, make, fresh):
    """The payload (``request.param``) in every free-text field, each entered the way
    people enter it: staff forms, the logging form, the CSV import and the API.

    Returns what was stored, by field, read back from the database.
    """
    payload = request.param
    make.user()
    auth.login()
    landed = []  # the pages the forms led to, and the stored text their messages name

    def submit(url, data, *keys):
        response = post(client, url, data)
        assert response.status_code == 303, (url, page(response).get_text()[:500])
        landed.append((client.get(response.headers["Location"]), keys))

    submit(
        "/campaigns/new",
        CAMPAIGN_FORM
        | {
            "slug": SLUG,
            "title": tagged("ct", payload, 160),
            "summary": tagged("cs", payload, 5000),
            "guidance": tagged("cg", payload, 5000),
            "goal": "100",
        },
        "campaign.title",
    )
    submit(
        f"/campaigns/{SLUG}/recipients/new",
        RECIPIENT_FORM
        | {
            "key": "president",
            "role": "appeal",
            "name": tagged("an", payload, 160),
            "salutation": tagged("as", payload, 160),
            "address_lines": f"{tagged('a1', payload, 400)}\r\n{tagged('a2', payload, 400)}",
            "city": tagged("ac", payload, 120),
            "postcode": tagged("ap", payload, 20),
            "fax": tagged("af", payload, 40),
            "email": tagged("ae", payload, 254),
            "country": "KG",
        },
        "appeal.name",
    )
    submit(
        f"/campaigns/{SLUG}/recipients/new",
        RECIPIENT_FORM
        | {
            "key": "prisoner",
            "role": "solidarity",
            "name": tagged("pn", payload, 160),
            "address_lines": "Koloniya No. 47",
            "city": "Bishkek",
            "postcode": "",
            "country": "KG",
        },
        "prisoner.name",
    )
    submit(
        f"/campaigns/{SLUG}/phrases/new",
        PHRASE_FORM | {"text": tagged("gt", payload, 300), "meaning": tagged("gm", payload, 300)},
    )
    submit(
        "/chapters/new",
        CHAPTER_FORM
        | {
            "slug": CHAPTER_SLUG,
            "goal": "50",
            "public_counter": "y",
            "name": tagged("hn", payload, 120),
            "town": tagged("ht", payload, 80),
        },
        "chapter.name",
    )
    email = tagged("ue", payload, 200) + "@example.org"
    response = post(client, "/users/new", USER_FORM | {"email": email})
    assert response.status_code == 200, page(response).get_text()[:500]
    landed.append((response, ("user.email",)))
    response = post(client, "/account/tokens", {"label": tagged("tl", payload, 100)})
    assert response.status_code == 200
    make.user("teacher@example.org", role="coordinator", chapter=Chapter(slug=CHAPTER_SLUG))
    # A second campaign, so that the dashboards' list is a list.
    make.campaign(slug="another-case", title="Another case")
    town = tagged("mt", payload, 80)
    for recipient, channel in (("president", "letter"), ("prisoner", "card")):
        mailing = MAILING_FORM | {"recipient": recipient, "channel": channel}
        submit(
            "/mailings/new",
            mailing | {"sender_town": town, "chapter": CHAPTER_SLUG},
            "campaign.title",
            "town.form",
            "chapter.name",
        )
    line = [SLUG, "president", "letter", tagged("it", payload, 80), "KG", "2025-12-10", "5"]
    response = import_lines(client, [line], action="import")
    assert response.status_code == 200, page(response).get_text()[:800]
    landed.append((response, ()))
    with make.session() as s:
        staff = s.exec(select(User).where(User.email == "staff@example.org")).one()
        bearer = accounts.issue_token(session=s, user=staff)
    answer = client.post(
        "/api/v1/mailings",
        json=API_MAILING | {"sender_town": tagged("pt", payload, 80)},
        headers={"Authorization": f"Bearer {bearer}", "Idempotency-Key": "xss-1"},
    )
    assert answer.status_code == 201, answer.get_json()
    with fresh() as s:
        campaign = s.exec(select(Campaign).where(Campaign.slug == SLUG)).one()
        appeal, prisoner = s.exec(select(Recipient).order_by(Recipient.id)).all()
        phrase = s.exec(select(Phrase)).one()
        group = s.exec(select(Chapter).where(Chapter.slug == CHAPTER_SLUG)).one()
        email = s.exec(select(User.email).where(User.email.startswith("ue:"))).one()
        label = s.exec(select(ApiToken.label).order_by(ApiToken.id)).first()
        towns = {
            tag: s.exec(
                select(Mailing.sender_town).where(Mailing.sender_town.startswith(tag))
            ).first()
            for tag in ("mt:", "it:", "pt:")
        }
        letter = s.exec(select(Mailing).where(Mailing.recipient_id == prisoner.id)).first()
    text = {
        "campaign.title": campaign.title,
        "campaign.summary": campaign.summary,
        "campaign.guidance": campaign.guidance,
        "appeal.name": appeal.name,
        "appeal.salutation": appeal.salutation,
        "appeal.lines": appeal.address_lines.splitlines(),
        "appeal.city": appeal.city,
        "appeal.postcode": appeal.postcode,
        "appeal.fax": appeal.fax,
        "appeal.email": appeal.email,
        "prisoner.name": prisoner.name,
        "prisoner.first": prisoner.name.split()[0],
        "phrase.text": phrase.text,
        "phrase.meaning": phrase.meaning,
        "chapter.name": group.name,
        "chapter.town": group.town,
        "user.email": email,
        "token.label": label,
        "town.form": towns["mt:"],
        "town.import": towns["it:"],
        "town.api": towns["pt:"],
    }
    # Stored as typed (the validators only strip spaces at the ends, and lower-case emails).
    typed = payload.strip()[:10].lower()
    for key, value in text.items():
        value = "\n".join(value) if isinstance(value, list) else value
        assert key == "prisoner.first" or typed in value.lower(), (key, value)
    return {
        "payload": payload,
        "text": text,
        "landed": landed,
        "code": letter.code,
        "batch": letter.batch_id,
        "phrase": phrase.id,
        "bearer": bearer,
    }


# Attributes that hold a URL: each must stay on this site.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
# Elements none of the templates write: one on a page came from the data.
FOREIGN = {"img", "iframe", "frame", "object", "embed", "applet", "base", "audio", "video"}


def what_could_run(html: str, payload: str, soup=None) -> list[str]:
    """Return what in *html* could run or load: a script other than our own files, an
    event handler, a link off the site or to ``javascript:``, an inline style, an
    element no template writes; and the payload itself, if it reached the page raw.

    *soup* is *html* parsed, if the caller has it already.
    """
    problems = []
    soup = soup if soup is not None else BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        if element.name == "script" and (
            not element.get("src", "").startswith("/static/") or element.get_text().strip()
        ):
            problems.append(f"script: {element}")
        if element.name in FOREIGN:
            problems.append(f"element: {element}")
        if element.name == "link" and not element.get("href", "").startswith("/static/"):
            problems.append(f"link: {element}")
        refresh = element.name == "meta" and element.get("http-equiv")
        if refresh and not element.get("content", "").isdigit():
            problems.append(f"meta: {element}")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on") or name.lower() == "style":
                problems.append(f"{name} attribute: {element.name} {name}={value!r}")
            if name.lower() in URL_ATTRIBUTES:
                url = "".join(ch for ch in value if ch > " ").lower()
                if url.startswith("//") or not url.startswith(("/", "#", "?", "http://localhost/")):
                    problems.append(f"{name}: {element.name} {name}={value!r}")
    if set(payload) & set("<>\"'&") and payload in html:
        problems.append("the payload unescaped")
    text = soup.get_text()
    for evaluated in EVALUATED[1:]:  # "49" may well be on a page; see missing_text
        if evaluated in text:
            problems.append(f"evaluated: {evaluated}")
    return problems


def missing_text(soup, stored, keys) -> list[str]:
    """Return which of the stored values named by *keys* the page does not show as text."""
    # The counter breaks a "{n}" in a name with an invisible U+200C, so that it is not
    # taken for the count's place; no payload holds one.
    text = soup.get_text().replace("\u200c", "")
    problems = []
    for key in keys:
        value = stored["text"][key]
        lines = value if isinstance(value, list) else [value]
        problems += [key for line in lines if line not in text]
        tag = lines[0].split(":")[0]
        problems += [f"{key} evaluated" for n in EVALUATED if f"{tag}:{n}" in text]
    return problems


ANON, STAFF, TEACHER = "anonymous", "staff", "coordinator"
CASE = [
    "campaign.title",
    "campaign.summary",
    "campaign.guidance",
    "appeal.name",
    "appeal.salutation",
    "appeal.lines",
    "appeal.city",
    "appeal.postcode",
    "appeal.fax",
    "appeal.email",
    "prisoner.name",
    "phrase.text",
    "phrase.meaning",
]
TOWNS = ["town.form", "town.import", "town.api"]
# Every page that shows stored text, who reads it, and the stored text it shows.
PAGES = [
    (ANON, "/", ["campaign.title", "campaign.summary"]),
    (ANON, "/campaigns/{slug}", CASE),
    (STAFF, "/campaigns/{slug}", CASE),
    (STAFF, "/campaigns", ["campaign.title"]),
    (STAFF, "/chapters", ["chapter.name", "chapter.town"]),
    (STAFF, "/users", ["chapter.name", "user.email", "token.label"]),
    (STAFF, "/users/new", ["chapter.name"]),
    (STAFF, "/account/tokens", ["token.label"]),
    (STAFF, "/mailings/new", ["campaign.title", "appeal.name", "prisoner.name", "chapter.name"]),
    (
        STAFF,
        "/mailings",
        ["campaign.title", "appeal.name", "prisoner.name", "chapter.name", *TOWNS],
    ),
    (STAFF, "/mailings/{code}", ["campaign.title", "prisoner.name", "town.form", "chapter.name"]),
    (STAFF, "/batches/{batch}", ["campaign.title", "prisoner.name", "town.form", "chapter.name"]),
    (
        STAFF,
        "/slips/{code}",
        ["campaign.title", "prisoner.name", "town.form", "phrase.text", "phrase.meaning"],
    ),
    (STAFF, "/m/{code}", ["campaign.title", "prisoner.name", "town.form"]),
    (ANON, "/m/{code}", ["campaign.title", "prisoner.name", "town.form"]),
    (STAFF, "/dashboard", ["campaign.title"]),
    (
        STAFF,
        "/dashboard/{slug}",
        ["campaign.title", "appeal.name", "prisoner.name", "chapter.name", *TOWNS],
    ),
    (STAFF, "/dashboard/{slug}?chapter={chapter}", ["campaign.title", "chapter.name", "town.form"]),
    (TEACHER, "/dashboard/{slug}", ["campaign.title", "chapter.name", "town.form"]),
    (TEACHER, "/mailings/new", ["campaign.title", "appeal.name", "chapter.name"]),
    (TEACHER, "/mailings", ["prisoner.name", "chapter.name", "town.form"]),
    (ANON, "/counter/{slug}", ["campaign.title", "prisoner.first"]),
    (ANON, "/counter/{slug}/embed", ["campaign.title", "prisoner.first"]),
    (ANON, "/counter/{slug}/{chapter}", ["campaign.title", "chapter.name", "prisoner.first"]),
    (ANON, "/counter/{slug}/{chapter}/embed", ["campaign.title", "chapter.name"]),
    (STAFF, "/reports", ["campaign.title", "chapter.name"]),
    (STAFF, "/postage", []),
    (ANON, "/privacy", []),
]
# The edit forms, whose fields hold the stored text as their values.
FORMS = [
    (
        STAFF,
        "/campaigns/{slug}/edit",
        {"title": "campaign.title", "summary": "campaign.summary", "guidance": "campaign.guidance"},
    ),
    (
        STAFF,
        "/campaigns/{slug}/recipients/president/edit",
        {
            "name": "appeal.name",
            "salutation": "appeal.salutation",
            "city": "appeal.city",
            "postcode": "appeal.postcode",
            "fax": "appeal.fax",
            "email": "appeal.email",
        },
    ),
    (
        STAFF,
        "/campaigns/{slug}/phrases/{phrase}/edit",
        {"text": "phrase.text", "meaning": "phrase.meaning"},
    ),
    (STAFF, "/chapters/{chapter}/edit", {"name": "chapter.name", "town": "chapter.town"}),
    (TEACHER, "/mailings/new", {"sender_town": "chapter.town"}),
]


def reader(app, who):
    """A client signed in as *who* (a new one for each, so no page sees another's)."""
    client = app.test_client()
    if who != ANON:
        email = "staff@example.org" if who == STAFF else "teacher@example.org"
        token = csrf_token(client, "/login")
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def fill(url: str, stored) -> str:
    return url.format(
        slug=SLUG,
        chapter=CHAPTER_SLUG,
        code=stored["code"],
        batch=stored["batch"],
        phrase=stored["phrase"],
    )


@pytest.mark.parametrize("stored", PAYLOADS.values(), ids=PAYLOADS.keys(), indirect=True)
def test_every_page_shows_the_payload_as_text_and_runs_nothing(app, stored):
    payload = stored["payload"]
    problems = {}
    for response, keys in stored["landed"]:  # with the messages naming what was saved
        html = response.get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        found = what_could_run(html, payload, soup) + missing_text(soup, stored, keys)
        problems[f"landed on {response.request.path}"] = found
    clients = {who: reader(app, who) for who in (ANON, STAFF, TEACHER)}
    for who, url, keys in PAGES:
        response = clients[who].get(fill(url, stored))
        assert response.status_code == 200, (who, url, response.status_code)
        html = response.get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        found = what_could_run(html, payload, soup) + missing_text(soup, stored, keys)
        if found:
            problems[f"{who} {url}"] = found
    for who, url, fields in FORMS:
        html = clients[who].get(fill(url, stored)).get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        found = what_could_run(html, payload, soup)
        for name, key in fields.items():
            control = soup.find(attrs={"name": name})
            value = control.get_text() if control.name == "textarea" else control.get("value")
            if value.strip("\r\n") != stored["text"][key]:
                found.append(f"{name} holds {value!r}")
        if found:
            problems[f"{who} {url}"] = found
    assert {k: v for k, v in problems.items() if v} == {}


API = "api"
# Every answer that carries stored text as data, who reads it, and the text it holds.
JSON_ANSWERS = [
    (ANON, "/api/v1/campaigns", ["campaign.title", "campaign.summary"]),
    (ANON, "/api/v1/campaigns/{slug}/totals", ["campaign.title"]),
    (ANON, "/api/v1/campaigns/{slug}/totals?chapter={chapter}", ["chapter.name"]),
    (API, "/api/v1/mailings", TOWNS),
    (API, "/api/v1/mailings/{code}", ["town.form"]),
    (ANON, "/api/v1/openapi.json", []),
    (STAFF, "/dashboard/{slug}/totals.json", ["chapter.name", *TOWNS]),
    (STAFF, "/reports/mailings.json", ["appeal.name", "prisoner.name", "chapter.name", *TOWNS]),
    (STAFF, "/reports/outreaches.json", ["campaign.title", "appeal.name", "prisoner.name"]),
]
TABLES = [
    (
        STAFF,
        "/dashboard/{slug}/totals.csv",
        ["appeal.name", "prisoner.name", "chapter.name", *TOWNS],
    ),
    (STAFF, "/reports/mailings.csv", ["appeal.name", "prisoner.name", "chapter.name", *TOWNS]),
    (STAFF, "/reports/summary.csv", ["chapter.name"]),
    (STAFF, "/reports/mailings.xlsx", ["appeal.name", "prisoner.name", "chapter.name", *TOWNS]),
    (STAFF, "/reports/summary.xlsx", ["chapter.name"]),
]
PDFS = [
    (
        STAFF,
        "/batches/{batch}/slips.pdf",
        ["campaign.title", "prisoner.name", "phrase.text", "phrase.meaning"],
    ),
    (STAFF, "/campaigns/{slug}/tally.pdf", ["campaign.title", "appeal.name", "prisoner.name"]),
]


def strings(value) -> set[str]:
    """Every string in a JSON document, keys and values."""
    if isinstance(value, dict):
        return set(value) | {s for v in value.values() for s in strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings(v)}
    return {value} if isinstance(value, str) else set()


def cells(response) -> set[str]:
    """Every text cell of a CSV or XLSX download."""
    if response.mimetype == "text/csv":
        return {
            c
            for row in csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")))
            for c in row
        }
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    found = set()
    for sheet in workbook:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), "a formula cell"
            found |= {cell.value for cell in row if isinstance(cell.value, str)}
    return found


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("stored", PAYLOADS.values(), ids=PAYLOADS.keys(), indirect=True)
def test_every_export_and_api_answer_holds_the_payload_as_data(app, stored):
    clients = {who: reader(app, who) for who in (ANON, STAFF)}
    clients[API] = app.test_client()
    bearer = {"Authorization": f"Bearer {stored['bearer']}"}
    problems = {}

    def get(who, url):
        response = clients[who].get(fill(url, stored), headers=bearer if who == API else {})
        assert response.status_code == 200, (who, url, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        return response

    for who, url, keys in JSON_ANSWERS:
        response = get(who, url)
        assert response.mimetype == "application/json", url
        found = strings(json.loads(response.get_data(as_text=True)))
        problems[url] = [key for key in keys if stored["text"][key] not in found]
    for who, url, keys in TABLES:
        response = get(who, url)
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        found = cells(response)
        problems[url] = [key for key in keys if stored["text"][key] not in found]
    for who, url, keys in PDFS:
        response = get(who, url)
        text = words(" ".join(page_texts(response.get_data())))
        if stored["payload"] == PAYLOADS["right-to-left letters"]:
            # A PDF holds right-to-left runs in the order they are drawn, so the word
            # read back from it is reversed: turn it round before comparing.
            text = text.replace("كيكشب", "بشكيك")
        problems[url] = [key for key in keys if words(stored["text"][key]) not in text]
    assert {url: keys for url, keys in problems.items() if keys} == {}


# Forms sent back with a problem show what was typed again, in their fields: each with
# the payload in every free-text field and one value that is refused.
REFUSED_FORMS = [
    ("/campaigns/new", CAMPAIGN_FORM | {"slug": "Not A Slug"}, ["title", "summary", "guidance"]),
    (
        f"/campaigns/{SLUG}/recipients/new",
        RECIPIENT_FORM | {"key": "Not A Key"},
        ["name", "salutation", "address_lines", "city", "fax", "email"],
    ),
    (f"/campaigns/{SLUG}/phrases/new", PHRASE_FORM | {"language": "?"}, ["text", "meaning"]),
    ("/chapters/new", CHAPTER_FORM | {"slug": "Not A Slug"}, ["name", "town"]),
    ("/users/new", USER_FORM, ["email"]),  # no "@" in the payload: refused
    ("/mailings/new", MAILING_FORM | {"count": "0"}, ["sender_town"]),
    ("/account/tokens", {"label": "x" * 101}, []),
]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_refused_form_shows_the_payload_back_as_text(client, auth, world, payload):
    auth.login()
    problems = {}
    for url, form, fields in REFUSED_FORMS:
        response = post(client, url, form | {name: payload for name in fields})
        assert response.status_code == 422, (url, page(response).get_text()[:300])
        html = response.get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        found = what_could_run(html, payload, soup)
        for name in fields:
            control = soup.find(attrs={"name": name})
            value = control.get_text() if control.name == "textarea" else control.get("value")
            if value.strip("\r\n").lower() != payload.strip().lower():
                found.append(f"{name} holds {value!r}")
        problems[url] = found
    token = csrf_token(client, "/login")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mailings")})
    data = {"email": payload, "password": "not the password", "csrf_token": token}
    response = client.post("/login", data={**data, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 401
    problems["/login"] = what_could_run(response.get_data(as_text=True), payload)
    assert {url: found for url, found in problems.items() if found} == {}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_refused_imports_and_api_calls_answer_the_payload_as_text(
    client, auth, world, make, payload
):
    auth.login()
    line = [SLUG, "president", "letter", "Bishkek", "KG", "2025-12-10", "5"]
    problems = {}
    for column in (0, 1, 2, 4, 5, 6):  # every column a value may be refused in
        response = import_lines(client, [line[:column] + [payload] + line[column + 1 :]])
        assert response.status_code == 422, IMPORT_HEADER[column]
        problems[IMPORT_HEADER[column]] = what_could_run(response.get_data(as_text=True), payload)
    with make.session() as s:
        bearer = {"Authorization": f"Bearer {accounts.issue_token(session=s, user=world['staff'])}"}
    for name in API_MAILING:
        answer = client.post(
            "/api/v1/mailings",
            json=API_MAILING | {"sender_town": "Bishkek", name: payload},
            headers=bearer | {"Idempotency-Key": f"xss-{name}"},
        )
        assert answer.status_code == 422, name
        json.loads(answer.get_data(as_text=True))
        assert answer.get_json()["errors"]
    assert {column: found for column, found in problems.items() if found} == {}


# Pages that read their query string, each parameter given the payload.
QUERIES = [
    "/?lang={p}",
    "/postage?from={p}&to={p}&kind={p}&weight_g={p}&on={p}&option={p}",
    f"/campaigns/{SLUG}?from={{p}}&to={{p}}&weight_g={{p}}",
    "/mailings?campaign={p}&chapter={p}&channel={p}&status={p}&since={p}&until={p}",
    "/mailings?before={p}",
    "/mailings/new?campaign={p}",
    "/reports?campaign={p}&chapter={p}&channel={p}&status={p}&since={p}&until={p}",
    f"/dashboard/{SLUG}?chapter={{p}}&channel={{p}}&since={{p}}&until={{p}}",
    f"/counter/{SLUG}?lang={{p}}",
    "/login?next={p}",
]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_payload_in_the_query_string_is_never_reflected_raw(client, auth, world, payload):
    auth.login()
    problems = {}
    for url in QUERIES:
        response = client.get(url.format(p=quote(payload)))
        assert response.status_code < 500, url
        if response.mimetype == "text/html":
            problems[url] = what_could_run(response.get_data(as_text=True), payload)
    for target in (payload, f"/{payload}", f"/\\{payload}"):
        response = client.get(f"/language?lang=fr&next={quote(target)}")
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert {url: found for url, found in problems.items() if found} == {}


# --- invisible characters ----------------------------------------------------------------

# How people paste one town: from a web page (zero-width space, byte-order mark, soft
# hyphen) or with direction controls, which could make a page read backwards.
SPELLINGS = {
    "zero-width space": "Bish\u200bkek",
    "byte-order mark": "\ufeffBishkek",
    "soft hyphen": "Bish\u00adkek",
    "word joiner": "Bish\u2060kek",
    "right-to-left override": "\u202eBishkek",
    "override and its end": "Bish\u202ekek\u202c",
    "right-to-left isolate": "\u2067Bishkek\u2069",
    "left-to-right mark": "Bishkek\u200e",
    "control character": "Bish\x1bkek",
}


def log_from(client, town: str):
    """Log 5 letters sent from *town* through the form."""
    return post(client, "/mailings/new", MAILING_FORM | {"sender_town": town})


def test_invisible_characters_are_dropped_so_one_town_tallies_once(client, auth, world, fresh):
    auth.login()
    for town in ["Bishkek", *SPELLINGS.values()]:
        assert log_from(client, town).status_code == 303
    with fresh() as s:
        towns = s.exec(select(Mailing.sender_town, Mailing.sender_town_key).distinct()).all()
    assert towns == [("Bishkek", "bishkek")]
    dashboard = page(client.get(f"/dashboard/{SLUG}"))
    (row,) = [r for r in dashboard.select("table.breakdown tr") if "Bishkek" in r.get_text()]
    assert "50" in row.get_text()


def test_joiners_stay_in_the_text_but_not_in_the_towns_key(client, auth, world, fresh):
    """Persian, Indic scripts and emoji need U+200C and U+200D: they are kept as typed."""
    auth.login()
    for town in ("Bishkek", "Bish\u200dkek"):
        assert log_from(client, town).status_code == 303
    with fresh() as s:
        towns = set(s.exec(select(Mailing.sender_town, Mailing.sender_town_key)).all())
    assert towns == {("Bishkek", "bishkek"), ("Bish\u200dkek", "bishkek")}


@pytest.mark.parametrize(("url", "form", "model", "fields"), TEXT_FORMS)
def test_every_free_text_field_drops_invisible_characters(
    client, auth, world, fresh, url, form, model, fields
):
    auth.login()
    changed = {name: "\u202e" + form[name][:2] + "\u200b" + form[name][2:] for name in fields}
    assert post(client, url, form | changed).status_code in (200, 303)
    with fresh() as s:
        row = s.exec(select(model).order_by(model.id.desc())).first()
    assert {name: getattr(row, name) for name in fields} == {
        name: form[name].replace("\r", "") for name in fields
    }


def test_a_name_of_invisible_characters_only_is_a_blank_name(client, auth, world, fresh):
    auth.login()
    response = post(client, "/chapters/new", CHAPTER_FORM | {"name": "\u200b\u202e\ufeff"})
    assert response.status_code == 422
    assert "required" in field_error(response, "name")
    assert rows(fresh, Chapter) == 2


# A NUL in a URL: every route's text arguments, and every query parameter a page reads.


# --- text the database cannot store ------------------------------------------------------

NUL_FIELDS = [
    (url, form, model, field) for url, form, model, fields in TEXT_FORMS for field in fields
]


@pytest.mark.parametrize(("url", "form", "model", "field"), NUL_FIELDS)
def test_a_nul_in_any_free_text_field_is_refused_next_to_it(
    client, auth, world, fresh, url, form, model, field
):
    """PostgreSQL cannot store a NUL: each of these was a 500 there, and is a 422 now."""
    auth.login()
    before = rows(fresh, model)
    response = post(client, url, form | {field: form[field][:3] + "\x00" + form[field][3:]})
    assert response.status_code == 422
    assert field_error(response, field)
    assert rows(fresh, model) == before
    # The same form without the NUL is taken: the NUL alone was the problem.
    assert post(client, url, form).status_code in (200, 303)
    assert rows(fresh, model) == before + 1


def test_signing_in_with_a_nul_in_the_email_is_a_failed_sign_in(client, world):
    token = csrf_token(client, "/login")
    data = {"email": "staff@exa\x00mple.org", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data)
    assert response.status_code == 401
    assert "do not match" in page(response).get_text()
    assert "/login" in client.get("/mailings").headers["Location"]


QUERY_NAMES = ("campaign", "chapter", "channel", "status", "since", "until", "before")
QUERY_NAMES += ("from", "to", "kind", "weight_g", "option", "on", "paper", "lang", "next")


def test_a_nul_in_any_url_is_a_404_or_400_never_a_500(app, client, auth, world, make, fresh):
    """PostgreSQL fails on a query comparing text with a NUL: /counter/a%00b was a 500."""
    batch = make.batch(world["staff"])
    open_counter(make, world["class_4b"])
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
    values = {"slug": SLUG, "chapter_slug": "class-4b", "key": "president", "code": code}
    values |= {"fmt": "csv", "filename": "css/main.css", "batch_id": batch.id}
    values |= {"phrase_id": 1, "token_id": 1, "user_id": 1}
    auth.login()
    with app.test_request_context():
        urls = []
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {name: values[name] for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **args))
            for name in rule.arguments:
                # Only free text: not numbers, and not a choice ("csv" or "xlsx").
                if type(rule._converters[name]).__name__ in ("UnicodeConverter", "PathConverter"):
                    urls.append(url_for(rule.endpoint, **(args | {name: "a\x00b"})))
    answers = {}
    for url in urls:
        for query in [""] + [f"?{name}=a%00b" for name in QUERY_NAMES]:
            response = client.get(url + query)
            response.close()  # a static file's answer holds the file open
            if response.status_code >= 500:
                answers[url + query] = response.status_code
    assert answers == {}
    assert client.get(f"/counter/{SLUG}%00").status_code == 404
    assert client.get(f"/mailings?campaign={SLUG}%00").status_code == 400
    assert client.get("/api/v1/campaigns/a%00b/totals").get_json()["errors"]
    refused = client.get(f"/api/v1/campaigns/{SLUG}/totals?chapter=a%00b")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["message"] == "Remove the NUL character."


# --- the code that writes HTML -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# Where markup is built in Python, each reviewed: only numbers, codes and escaped text.
# (services/slips/qr.py draws the QR code's SVG, which views/slips.py marks as markup.)
REVIEWED_MARKUP = {
    "app/charts.py",
    "app/worldmap.py",
    "app/views/slips.py",
    "app/services/slips/qr.py",
}


def test_templates_escape_everything_they_are_given():
    """Flask escapes templates by their extension; none opts out or marks data safe."""
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file():
            assert path.suffix == ".html", path
            source = path.read_text()
            assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup\(", source), path


def test_python_builds_markup_only_where_it_was_reviewed():
    building = set()
    for path in [*(ROOT / "app").rglob("*.py"), *(ROOT / "models").rglob("*.py")]:
        source = path.read_text()
        assert "render_template_string" not in source, path
        assert "autoescape=False" not in source.replace(" ", ""), path
        if re.search(r"\bMarkup\(", source):
            building.add(str(path.relative_to(ROOT)))
    assert building == REVIEWED_MARKUP


def test_scripts_write_text_never_html():
    """The counter's script fills in numbers and sentences with textContent only."""
    scripts = list((ROOT / "app" / "static").rglob("*.js"))
    assert scripts
    for path in scripts:
        source = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            assert sink not in source, (path, sink)
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"']", source), path
