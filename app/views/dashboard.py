"""The dashboard: a campaign's totals for staff, and a chapter's share for its coordinator.

Filters live in the query string (``since``, ``until``, ``channel``, and ``chapter`` for
staff), and the CSV and JSON links carry the same filters and the same numbers.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from app import charts
from app import db
from app import worldmap
from app.auth import signed_in_required
from app.forms import CHANNEL_LABELS
from app.services import campaigns
from app.services import countries
from app.services.totals import read as totals
from models import Campaign
from models import CampaignStatus
from models import Channel
from models import Chapter

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

ROLE_LABELS = {
    "appeal": _l("Appeals to officials"),
    "solidarity": _l("Greetings to the prisoner"),
    "copy": _l("Copies"),
}
STATUS_LABELS = {
    "posted": _l("posted"),
    "logged": _l("logged, not yet posted"),
    "void": _l("void"),
}
TOP_CHAPTERS = 10
TOWNS_SHOWN = 25  # on the page; the CSV and JSON name every town with 5 mailings or more
# Above this many chapters the filter asks for a short name instead of offering a list.
CHAPTER_LIST_LIMIT = 300


@dataclass(frozen=True)
class Row:
    """One line of a breakdown table: its label, its count, the whole campaign's count."""

    label: str
    count: int
    whole: int | None = None
    href: str | None = None
    note: str = ""


@dataclass(frozen=True)
class View:
    """What one dashboard request shows: the campaign, the chosen filters, the totals."""

    campaign: Campaign
    filters: totals.Filters
    chapter: Chapter | None
    whole: totals.Totals
    share: totals.Totals | None
    recipients: dict[int, object]
    problems: dict[str, str]

    @property
    def main(self) -> totals.Totals:
        """The totals the charts draw: the chapter's share if there is one."""
        return self.share if self.share is not None else self.whole

    def rows(self, part: str, label, keys=None) -> list[Row]:
        """Rows of one breakdown (``by_channel``…), each beside the whole campaign's count."""
        main = getattr(self.main, part)
        whole = getattr(self.whole, part) if self.share is not None else None
        keys = list(main) if keys is None else list(keys)
        if whole is not None and part not in ("by_country",):
            keys += [k for k in whole if k not in keys]
        return [
            Row(label(k), main.get(k, 0), whole.get(k, 0) if whole is not None else None)
            for k in keys
        ]

    def town_rows(self) -> list[Row]:
        """The named towns (5 mailings or more, the most first), then all the others."""
        rows = [Row(t.name, t.mailings, note=t.country) for t in self.main.towns]
        other = self.main.other_towns
        if other.places:
            note = ngettext("%(num)s town", "%(num)s towns", other.places)
            rows.append(Row(_("Other towns"), other.mailings, note=note))
        return rows


def _load(slug: str, *, towns: int | None = TOWNS_SHOWN) -> View:
    """Read the campaign, the filters and the totals for this request.

    :raise 404: if there is no such campaign, a draft is asked for by a coordinator, or
        a coordinator asks for another chapter.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    user = current_user.row
    if campaign.status == CampaignStatus.DRAFT and not user.is_staff:
        abort(404)
    args, problems, values = request.args, {}, {}
    for name in ("since", "until"):
        if raw := args.get(name, "").strip():
            try:
                values[name] = dt.date.fromisoformat(raw)
            except ValueError:
                problems[name] = _("Enter a date like 2025-12-10.")
    if (channel := args.get("channel", "")) and channel not in set(Channel):
        problems["channel"] = _("Choose a channel from the list.")
    elif channel:
        values["channel"] = channel
    chapter = None
    wanted = args.get("chapter", "").strip()
    if user.is_staff:
        if wanted:
            chapter = session.exec(select(Chapter).where(Chapter.slug == wanted)).first()
            if chapter is None:
                problems["chapter"] = _("There is no chapter with this short name.")
    else:
        chapter = session.get(Chapter, user.chapter_id) if user.chapter_id else None
        if wanted and (chapter is None or wanted != chapter.slug):
            abort(404)  # another chapter's share is not this coordinator's to see
    if chapter is not None:
        values["chapter_id"] = chapter.id
    filters = totals.Filters(**values)
    campaign_wide = totals.Filters(**{k: v for k, v in values.items() if k != "chapter_id"})
    top = TOP_CHAPTERS if user.is_staff else 0
    whole = totals.summarize(session, campaign.id, campaign_wide, towns=towns, top_chapters=top)
    share = (
        totals.summarize(session, campaign.id, filters, towns=towns)
        if chapter is not None
        else None
    )
    recipients = {r.id: r for r in campaigns.recipients_of(session, campaign)}
    return View(campaign, filters, chapter, whole, share, recipients, problems)


@bp.get("")
@signed_in_required
def index():
    """List the campaigns with a dashboard: going to the only one if there is one."""
    session = db.get_session()
    shown = [
        c
        for c in campaigns.all_campaigns(session)
        if current_user.is_staff or c.status != CampaignStatus.DRAFT
    ]
    if len(shown) == 1:
        return redirect(url_for("dashboard.show", slug=shown[0].slug))
    return render_template("dashboard/index.html", campaigns=shown)


@bp.get("/<slug>")
@signed_in_required
def show(slug: str):
    """Show a campaign's totals, or a chapter's share beside them, as charts and tables.

    :raise 404: if there is no such campaign, or it is not the reader's to see.
    """
    view = _load(slug)
    locale = str(get_locale() or "en")
    main = view.main
    start = view.filters.since or view.campaign.starts_on
    last_day = max(main.by_day, default=start)
    ended = view.campaign.ends_on if (view.campaign.ends_on or _today()) < _today() else None
    end = view.filters.until or max(last_day, ended or last_day)
    scope = view.chapter.name if view.chapter else view.campaign.title
    day_chart = charts.days(
        main.by_day,
        start,
        max(end, start),
        title=_("Mailings per day, %(scope)s", scope=scope),
        description=_day_description(main),
        locale=locale,
    )
    world = worldmap.svg(
        main.by_country,
        name=lambda code: countries.country_name(code, locale),
        title=_("Where the mail came from, %(scope)s", scope=scope),
        description=_country_description(main, locale),
    )
    session = db.get_session()
    few_chapters = (
        current_user.is_staff
        and session.exec(select(func.count()).select_from(Chapter)).one() <= CHAPTER_LIST_LIMIT
    )
    response = make_response(
        render_template(
            "dashboard/show.html",
            view=view,
            main=main,
            day_chart=day_chart,
            world=world,
            legend=worldmap.legend(),
            chapters=campaigns.all_chapters(session) if few_chapters else None,
            channel_labels={c.value: label for c, label in CHANNEL_LABELS.items()},
            country_name=lambda code: countries.country_name(code, locale),
            recipient_name=lambda i: view.recipients[i].name if i in view.recipients else "?",
            top_rows=[
                Row(c.name, c.mailings, href=_with_args(slug, chapter=c.slug))
                for c in view.whole.top_chapters
            ],
            role_labels=ROLE_LABELS,
            status_labels=STATUS_LABELS,
            charts=charts,
            small=totals.SMALL_COUNT,
            towns_shown=TOWNS_SHOWN,
            args=request.args,
            export_args={k: v for k, v in request.args.items() if v},
        ),
        422 if view.problems else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug>/totals.json")
@signed_in_required
def totals_json(slug: str):
    """Send the dashboard's numbers, with its filters, as JSON.

    :raise 404: if there is no such campaign, or it is not the reader's to see.
    """
    view = _load(slug, towns=None)
    if view.problems:
        return _problems(view.problems)
    body = {
        "campaign": view.campaign.slug,
        "filters": _filters_document(view),
        "campaign_totals": _document(view, view.whole, view.campaign.goal),
    }
    if view.share is not None:
        body["chapter"] = {"slug": view.chapter.slug, "name": view.chapter.name}
        body["chapter_totals"] = _document(view, view.share, view.chapter.goal)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug>/totals.csv")
@signed_in_required
def totals_csv(slug: str):
    """Send the dashboard's numbers, with its filters, as a CSV file.

    :raise 404: if there is no such campaign, or it is not the reader's to see.
    """
    view = _load(slug, towns=None)
    if view.problems:
        return _problems(view.problems)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["scope", "section", "key", "label", "mailings", "amount", "currency"])
    scopes = [("campaign", view.whole, view.campaign.goal)]
    if view.share is not None:
        scopes.append((f"chapter:{view.chapter.slug}", view.share, view.chapter.goal))
    for scope, result, goal in scopes:
        for row in _csv_rows(view, result, goal):
            writer.writerow([_safe_cell(scope), *(_safe_cell(v) for v in row)])
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    suffix = f"-{view.chapter.slug}" if view.chapter else ""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{view.campaign.slug}{suffix}-totals.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- helpers ------------------------------------------------------------------------


def _with_args(slug: str, **changes) -> str:
    """Link to this dashboard with the current filters, some of them changed."""
    args = {k: v for k, v in request.args.items() if v}
    return url_for("dashboard.show", slug=slug, **(args | changes))


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _problems(problems: dict[str, str]):
    body = {"errors": [{"field": f, "message": m} for f, m in problems.items()]}
    return jsonify(body), 422


def _day_description(result: totals.Totals) -> str:
    if not result.by_day:
        return _("No mail yet.")
    busiest, count = max(result.by_day.items(), key=lambda kv: (kv[1], kv[0]))
    return _(
        "%(total)s mailings over %(days)s days; the busiest day was %(day)s with %(count)s."
        " The table below lists every day.",
        total=format_decimal(result.total),
        days=len(result.by_day),
        day=busiest.isoformat(),
        count=format_decimal(count),
    )


def _country_description(result: totals.Totals, locale: str) -> str:
    if not result.by_country:
        return _("No mail yet.")
    shown = list(result.by_country.items())[:10]
    names = ", ".join(
        f"{countries.country_name(code, locale)} {format_decimal(n)}" for code, n in shown
    )
    more = result.countries - len(shown)
    if more > 0:
        return ngettext(
            "Mail came from %(num)s countries: %(names)s, and %(more)s more (see the table).",
            "Mail came from %(num)s countries: %(names)s, and %(more)s more (see the table).",
            result.countries,
            names=names,
            more=more,
        )
    return ngettext(
        "Mail came from %(num)s country: %(names)s.",
        "Mail came from %(num)s countries: %(names)s.",
        result.countries,
        names=names,
    )


def _filters_document(view: View) -> dict:
    f = view.filters
    return {
        "chapter": view.chapter.slug if view.chapter else None,
        "channel": f.channel,
        "since": f.since.isoformat() if f.since else None,
        "until": f.until.isoformat() if f.until else None,
    }


def _document(view: View, result: totals.Totals, goal: int | None) -> dict:
    """The totals as JSON: the same numbers the page shows, towns under 5 folded."""
    return {
        "total": result.total,
        "goal": goal,
        "progress": totals.progress(result.total, goal),
        "by_status": result.by_status,
        "by_channel": result.by_channel,
        "by_role": result.by_role,
        "by_recipient": {
            view.recipients[r].key if r in view.recipients else str(r): n
            for r, n in result.by_recipient.items()
        },
        "by_country": result.by_country,
        "by_town": [
            {"town": t.name, "country": t.country, "mailings": t.mailings} for t in result.towns
        ],
        "other_towns": {
            "towns": result.other_towns.places,
            "mailings": result.other_towns.mailings,
        },
        "by_day": {day.isoformat(): n for day, n in result.by_day.items()},
        "postage": {
            currency: {
                "amount": str(p.amount),
                "amount_minor": p.amount_minor,
                "mailings": p.mailings,
            }
            for currency, p in result.postage.items()
        },
        "top_chapters": [
            {"slug": c.slug, "name": c.name, "mailings": c.mailings} for c in result.top_chapters
        ],
    }


def _csv_rows(view: View, result: totals.Totals, goal: int | None):
    """Yield ``(section, key, label, mailings, amount, currency)`` rows for one scope."""
    yield ("total", "", "", result.total, "", "")
    if goal:
        yield ("goal", "", "", goal, "", "")
    for status, n in result.by_status.items():
        yield ("status", status, STATUS_LABELS.get(status, status), n, "", "")
    for channel, n in result.by_channel.items():
        yield ("channel", channel, CHANNEL_LABELS.get(channel, channel), n, "", "")
    for role, n in result.by_role.items():
        yield ("role", role, ROLE_LABELS.get(role, role), n, "", "")
    for recipient_id, n in result.by_recipient.items():
        r = view.recipients.get(recipient_id)
        yield ("recipient", r.key if r else recipient_id, r.name if r else "", n, "", "")
    for code, n in result.by_country.items():
        yield ("country", code, countries.country_name(code), n, "", "")
    for t in result.towns:
        yield ("town", f"{t.country}/{t.key}", t.name, t.mailings, "", "")
    if result.other_towns.places:
        other = result.other_towns
        label = f"Other towns ({other.places}, fewer than {totals.SMALL_COUNT} mailings each)"
        yield ("town", "other", label, other.mailings, "", "")
    for day, n in result.by_day.items():
        yield ("day", day.isoformat(), "", n, "", "")
    for currency, p in result.postage.items():
        yield ("postage", currency, "", p.mailings, str(p.amount), currency)
    for c in result.top_chapters:
        yield ("chapter", c.slug, c.name, c.mailings, "", "")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0", "|", "%", "{")


def _safe_cell(value):
    """Keep a spreadsheet from reading typed text (a town, a chapter) as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value
