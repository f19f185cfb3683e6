"""Charts drawn on the server as SVG: no script, printable, each with a text alternative.

Sizes are attributes (not inline styles) so a strict Content-Security-Policy holds;
colours come from CSS classes in main.css.
"""

import datetime as dt

from babel.dates import format_date
from markupsafe import Markup
from markupsafe import escape

DAY_CHART_WIDTH = 1000
DAY_CHART_HEIGHT = 220
_AXIS = 24  # room for the month labels under the bars
_LABEL_ROOM = 80  # the least distance between two month labels


def bar(value: int, largest: int) -> Markup:
    """Draw a horizontal bar for a table cell; the number beside it is the text."""
    width = 0 if largest <= 0 or value <= 0 else max(0.5, 100 * value / largest)
    # Numbers only: nothing here comes from a user.
    return Markup(  # noqa: S704
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"'
        ' focusable="false"><rect class="bar-track" width="100" height="10"></rect>'
        f'<rect class="bar-fill" width="{width:.2f}" height="10"></rect></svg>'
    )


def progress(fraction: float | None, label: str, *, ident: str = "progress") -> Markup:
    """Draw progress towards a goal; *label* ("405 of 2,000 letters") is its text."""
    share = 0.0 if fraction is None else min(1.0, max(0.0, fraction))
    # *label* is escaped; *ident* is a constant of the caller's.
    return Markup(  # noqa: S704
        f'<svg class="progress" viewBox="0 0 1000 40" preserveAspectRatio="none" role="img"'
        f' aria-labelledby="{ident}-label" id="{ident}">'
        f'<title id="{ident}-label">{escape(label)}</title>'
        '<rect class="progress-track" x="0" y="0" width="1000" height="40" rx="8"></rect>'
        f'<rect class="progress-fill" x="0" y="0" width="{1000 * share:.1f}" height="40"'
        ' rx="8"></rect></svg>'
    )


def days(
    counts: dict[dt.date, int],
    start: dt.date,
    end: dt.date,
    *,
    title: str,
    description: str,
    ident: str = "days",
    locale: str = "en",
) -> Markup:
    """Draw one column per day from *start* to *end*; each column has a ``<title>``."""
    if end < start:
        start, end = end, start
    span = (end - start).days + 1
    largest = max(counts.values(), default=0)
    step = DAY_CHART_WIDTH / span
    plot = DAY_CHART_HEIGHT - _AXIS
    last_label = 0.0
    parts = [
        f'<svg class="days" viewBox="0 0 {DAY_CHART_WIDTH} {DAY_CHART_HEIGHT}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<line class="axis" x1="0" y1="{plot}" x2="{DAY_CHART_WIDTH}" y2="{plot}"></line>'
    ]
    for offset in range(span):
        day = start + dt.timedelta(days=offset)
        count = counts.get(day, 0)
        x = offset * step
        if count:
            height = max(1.5, plot * count / largest)
            parts.append(
                f'<rect class="day" x="{x + step * 0.1:.2f}" y="{plot - height:.2f}"'
                f' width="{max(step * 0.8, 0.5):.2f}" height="{height:.2f}">'
                f"<title>{day.isoformat()}: {count:,}</title></rect>"
            )
        if (day.day == 1 and x - last_label >= _LABEL_ROOM) or offset == 0:
            last_label = x
            pattern = "MMM y" if (day.month == 1 or offset == 0) else "MMM"
            parts.append(
                f'<text class="tick" x="{x:.2f}" y="{DAY_CHART_HEIGHT - 6}">'
                f"{escape(format_date(day, pattern, locale=locale))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
