"""Public counters: a campaign's (or a class's) letters, big enough for a classroom wall.

No sign-in, no cookie (``app.public``), nothing from another origin, no ranking: a
counter shows one total, the progress to the goal, how many countries mail came
from, and a map with only the countries of at least ``SMALL_COUNT`` mailings shaded.
Below the campaign's ``counter_threshold`` it shows encouragement instead of a
small number. A small script (``static/js/counter.js``) refreshes it every 30 seconds
from the public totals API; without it, a ``<meta>`` refresh does.
"""

from flask import Blueprint
from flask import make_response
from flask import render_template
from flask import url_for
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import ngettext

from app import charts
from app import db
from app import worldmap
from app.public import public
from app.services import campaigns
from app.services import countries
from app.services.errors import Nn_
from app.services.totals import read as totals
from models import Campaign
from models import Chapter
from models import RecipientRole

bp = Blueprint("counter", __name__, url_prefix="/counter")

REFRESH_SECONDS = 30
# Only scripts and styles of our own; a page that may be framed anywhere, or nowhere.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
    " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
    " frame-ancestors {frames}"
)
# The sentence under the number, by who sent the letters: (singular, plural), with
# %(num)s letters and the prisoner's %(name)s. Written out whole for the translators.
_LINES = {
    None: Nn_(
        "Together we have sent %(num)s letter to help free %(name)s!",
        "Together we have sent %(num)s letters to help free %(name)s!",
    ),
    "class": Nn_(
        "Your class has sent %(num)s letter to help free %(name)s!",
        "Your class has sent %(num)s letters to help free %(name)s!",
    ),
    "school": Nn_(
        "Your school has sent %(num)s letter to help free %(name)s!",
        "Your school has sent %(num)s letters to help free %(name)s!",
    ),
    "group": Nn_(
        "Your group has sent %(num)s letter to help free %(name)s!",
        "Your group has sent %(num)s letters to help free %(name)s!",
    ),
    "individual": Nn_(
        "You have sent %(num)s letter to help free %(name)s!",
        "You have sent %(num)s letters to help free %(name)s!",
    ),
}


@bp.get("/<slug>")
@public
def campaign(slug: str):
    """Show a campaign's public counter.

    :raise 404: for an unknown or draft campaign.
    """
    return _counter(slug, None, embed=False)


@bp.get("/<slug>/embed")
@public
def campaign_embed(slug: str):
    """Show a campaign's counter small and frameable, for a school's website.

    :raise 404: for an unknown or draft campaign.
    """
    return _counter(slug, None, embed=True)


@bp.get("/<slug>/<chapter_slug>")
@public
def chapter(slug: str, chapter_slug: str):
    """Show a chapter's public counter, if the chapter turned it on.

    :raise 404: for an unknown or draft campaign, or a chapter without a public counter.
    """
    return _counter(slug, chapter_slug, embed=False)


@bp.get("/<slug>/<chapter_slug>/embed")
@public
def chapter_embed(slug: str, chapter_slug: str):
    """Show a chapter's counter small and frameable.

    :raise 404: for an unknown or draft campaign, or a chapter without a public counter.
    """
    return _counter(slug, chapter_slug, embed=True)


def _counter(slug: str, chapter_slug: str | None, *, embed: bool):
    session = db.get_session()
    campaign, chapter = totals.public_scope(session, slug, chapter_slug)
    result = totals.summarize(
        session, campaign.id, totals.Filters(chapter_id=chapter.id if chapter else None), towns=0
    )
    locale = str(get_locale() or "en")
    goal = chapter.goal if chapter else campaign.goal
    shown, _other = result.shown_countries()
    hidden = result.total < campaign.counter_threshold
    lines = _lines(chapter, _prisoner(session, campaign))
    context = {
        "campaign": campaign,
        "chapter": chapter,
        "total": result.total,
        "goal": goal,
        "countries": result.countries,
        "hidden": hidden,
        "lines": lines,
        "line": lines["hidden"] if hidden else _line(lines, result.total),
        "progress": charts.progress(
            0 if hidden else totals.progress(result.total, goal),
            f"Goal: {format_decimal(goal)}"
            if hidden
            else f"{format_decimal(result.total)} of {format_decimal(goal)}",
            ident="counter-progress",
        )
        if goal
        else None,
        "percent": round(100 * result.total / goal) if goal else None,
        "world": None
        if embed or hidden
        else worldmap.svg(
            shown,
            name=lambda code: countries.country_name(code, locale),
            title=_("Where the letters come from"),
            description=_map_description(shown, result.countries, locale),
            ident="counter-map",
        ),
        "totals_url": url_for(
            "api.campaign_totals_view",
            slug=campaign.slug,
            chapter=chapter.slug if chapter else None,
        ),
        "refresh": REFRESH_SECONDS,
        "embed": embed,
        "small": totals.SMALL_COUNT,
    }
    template = "counter/embed.html" if embed else "counter/show.html"
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = f"public, max-age={REFRESH_SECONDS}"
    response.headers["Content-Security-Policy"] = _POLICY.format(frames="*" if embed else "'self'")
    return response


def _prisoner(session, campaign: Campaign) -> str:
    """Name whom the letters are for, as a 9-year-old would: "Azimjan".

    The first name of the campaign's first solidarity recipient (the prisoner), else
    the campaign's title without a leading "Free".
    """
    for recipient in campaigns.recipients_of(session, campaign):
        if recipient.role == RecipientRole.SOLIDARITY and recipient.name.strip():
            return recipient.name.split()[0]
    title = campaign.title.strip()
    return title[5:].strip() if title.lower().startswith("free ") else title


def _lines(chapter: Chapter | None, name: str) -> dict[str, str]:
    """The sentence under the number: ``{n}`` stands for the count (for the script too)."""
    singular, plural = _LINES.get(chapter.kind if chapter else None, _LINES["group"])
    translations = get_translations()  # unformatted: {n} stays for the script to fill
    # A "{n}" typed in the name is text, not the count: a zero-width non-joiner inside it
    # (invisible) keeps this page and the script from filling it in.
    fields = {"num": "{n}", "name": name.replace("{n}", "{\u200cn}")}
    return {
        "one": translations.ngettext(singular, plural, 1) % fields,
        "many": translations.ngettext(singular, plural, 2) % fields,
        "hidden": _(
            "Letters are on their way to help free %(name)s. Every letter counts: keep writing!",
            name=name,
        ),
    }


def _line(lines: dict[str, str], total: int) -> str:
    return lines["one" if total == 1 else "many"].replace("{n}", format_decimal(total))


def _map_description(shown: dict[str, int], count: int, locale: str) -> str:
    if not shown:
        return ngettext(
            "Letters came from %(num)s country; none has sent %(small)s yet.",
            "Letters came from %(num)s countries; none has sent %(small)s yet.",
            count,
            small=totals.SMALL_COUNT,
        )
    names = ", ".join(countries.country_name(c, locale) for c in shown)
    return ngettext(
        "Letters came from %(num)s country. Shaded: %(names)s. Countries with fewer than "
        "%(small)s letters are not shaded.",
        "Letters came from %(num)s countries. Shaded: %(names)s. Countries with fewer than "
        "%(small)s letters are not shaded.",
        count,
        names=names,
        small=totals.SMALL_COUNT,
    )
