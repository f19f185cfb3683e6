"""The demo campaign for Azimjan Askarov, with chapters and a spread of mailings."""

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel import select

from app.services import accounts
from app.services import campaigns
from app.services.mailings import log as mailing_log
from models import Campaign
from models import CampaignCreate
from models import ChapterCreate
from models import MailingBatchCreate
from models import PhraseCreate
from models import RecipientCreate
from models import Role
from models import User

STAFF_EMAIL = "staff@lettertrail.example"
SLUG = "azimjan-askarov"

CAMPAIGN = CampaignCreate(
    title="Free Azimjan Askarov",
    slug=SLUG,
    summary=(
        "Azimjan Askarov is a human rights defender from Kyrgyzstan. He documented "
        "police abuse in the south of the country. In 2010 he was arrested, tortured, "
        "and sentenced to life in prison after an unfair trial. Write to the President "
        "of Kyrgyzstan to ask for his release, and send Azimjan a greeting to show him "
        "he is not forgotten."
    ),
    guidance=(
        "Write to the President politely, in your own words. Ask him to release Azimjan "
        "Askarov at once and without conditions, and to make sure he is not tortured. "
        "Greetings to Azimjan can be cards or drawings; keep them simple, and you can "
        "write in Russian. Do not write about politics on greetings. Advised postage "
        "from the USA: $2.50."
    ),
    status="active",
    starts_on=dt.date(2025, 11, 20),
    goal=2000,
    country="KG",
    counter_threshold=10,
)

RECIPIENTS = (
    RecipientCreate(
        key="president",
        role="appeal",
        name="President Almazbek Atambaev",
        salutation="Dear President Atambaev",
        address_lines="Government House\nProspekt Chuy 205",
        city="Bishkek",
        postcode="720003",
        country="KG",
        fax="+996 312 625 012",
        position=1,
    ),
    RecipientCreate(
        key="prisoner",
        role="solidarity",
        name="Azimjan Askarov",
        salutation="Dear Azimjan",
        address_lines="Koloniya No. 47",
        city="Bishkek",
        country="KG",
        position=2,
    ),
)

PHRASES = (
    PhraseCreate(text="Мы думаем о Вас!", meaning="We're thinking of you", language="ru"),
    PhraseCreate(
        text="Желаем Вам сил в борьбе за справедливость",
        meaning="Wishing you strength in your fight for justice",
        language="ru",
        position=1,
    ),
)

CHAPTERS = (
    ChapterCreate(
        name="Class 4B, Hillside Elementary",
        slug="hillside-4b",
        kind="class",
        town="Columbus",
        country="US",
        goal=60,
        public_counter=True,
    ),
    ChapterCreate(name="Leeds Group", slug="leeds", kind="group", town="Leeds", country="GB"),
    ChapterCreate(
        name="Toronto Write-a-thon", slug="toronto", kind="group", town="Toronto", country="CA"
    ),
    ChapterCreate(
        name="Berlin-Mitte Gruppe", slug="berlin-mitte", kind="group", town="Berlin", country="DE"
    ),
    ChapterCreate(
        name="Year 6, Bondi Public School",
        slug="bondi-year-6",
        kind="class",
        town="Sydney",
        country="AU",
        public_counter=True,
    ),
    ChapterCreate(
        name="Lycée Victor-Hugo, 2nde B",
        slug="lyon-2nde-b",
        kind="class",
        town="Lyon",
        country="FR",
    ),
)

# (chapter, recipient, channel, how many batches, largest batch)
_SPREAD = (
    ("hillside-4b", "president", "letter", 3, 28),
    ("hillside-4b", "prisoner", "drawing", 2, 25),
    ("leeds", "president", "letter", 4, 12),
    ("leeds", "president", "fax", 2, 3),
    ("leeds", "prisoner", "card", 3, 10),
    ("toronto", "president", "letter", 3, 20),
    ("toronto", "president", "email", 3, 15),
    ("berlin-mitte", "president", "letter", 2, 18),
    ("berlin-mitte", "prisoner", "postcard", 2, 14),
    ("bondi-year-6", "prisoner", "card", 2, 26),
    ("lyon-2nde-b", "president", "letter", 2, 30),
    ("lyon-2nde-b", "prisoner", "drawing", 1, 22),
)


@dataclass(frozen=True)
class DemoResult:
    """What ``flask demo`` did; ``staff_password`` only when it created the staff user."""

    campaign: Campaign
    staff_email: str
    staff_password: str | None
    batches_created: int


def load_demo(*, session: Session, today: dt.date | None = None) -> DemoResult:
    """Load the demo campaign, its recipients, chapters and mailings; safe to run again."""
    today = today or dt.date.today()
    campaign = session.exec(select(Campaign).where(Campaign.slug == SLUG)).first()
    if campaign is None:
        campaign = campaigns.save_campaign(session=session, data=CAMPAIGN)
    existing = {r.key for r in campaigns.recipients_of(session, campaign)}
    for recipient in RECIPIENTS:
        if recipient.key not in existing:
            campaigns.save_recipient(session=session, campaign=campaign, data=recipient)
    known = {p.text for p in campaigns.phrases_of(session, campaign.id)}
    for phrase in PHRASES:
        if phrase.text not in known:
            campaigns.save_phrase(session=session, campaign=campaign, data=phrase)
    slugs = {c.slug for c in campaigns.all_chapters(session)}
    chapters = {}
    for chapter in CHAPTERS:
        if chapter.slug not in slugs:
            campaigns.save_chapter(session=session, data=chapter)
        chapters[chapter.slug] = chapter

    staff = session.exec(select(User).where(User.email == STAFF_EMAIL)).first()
    password = None
    if staff is None:
        password = secrets.token_urlsafe(12)
        staff = accounts.create_user(
            session=session,
            email=STAFF_EMAIL,
            password=password,
            role=Role.STAFF,
            must_change_password=True,
        )

    created = 0
    rng = random.Random(20251120)  # noqa: S311 - seeded on purpose: the same demo every time
    last_day = max(CAMPAIGN.starts_on, min(today, dt.date(2026, 1, 31)))
    span = (last_day - CAMPAIGN.starts_on).days
    for chapter_slug, recipient, channel, batches, largest in _SPREAD:
        chapter = chapters[chapter_slug]
        for n in range(batches):
            data = MailingBatchCreate(
                campaign=SLUG,
                recipient=recipient,
                channel=channel,
                sender_town=chapter.town,
                sender_country=chapter.country,
                sent_on=CAMPAIGN.starts_on + dt.timedelta(days=rng.randint(0, span)),
                count=rng.randint(max(1, largest // 3), largest),
                chapter=chapter_slug,
            )
            logged = mailing_log.log_mailings(
                session=session,
                data=data,
                user=staff,
                submission_id=f"demo:{chapter_slug}:{recipient}:{channel}:{n}",
                today=today,
            )
            created += logged.created
    # Re-read: a repeated batch rolls back, which expires what the session held.
    campaign = campaigns.get_campaign(session, SLUG)
    return DemoResult(campaign, STAFF_EMAIL, password, created)
