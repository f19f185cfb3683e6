"""The world map: derived from a package by a script in the repo, shaded by count."""

import importlib.util
from pathlib import Path

from bs4 import BeautifulSoup

from app import worldmap
from app.services import countries

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts/build_world_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_map_file_is_what_the_script_derives_from_the_package():
    build = load_script()
    assert build.OUTPUT.read_text(encoding="utf-8") == build.render()


def test_every_country_lettertrail_accepts_has_an_outline_or_a_dot():
    missing = countries.all_codes() - worldmap.country_codes() - worldmap.LEFT_OUT
    # Specks with no ISO outline of their own on the source map.
    assert missing <= {"UM", "BV", "HM", "GS", "IO", "TF", "PN", "CC", "CX", "NF", "TK"}, missing
    assert {"KG", "XK", "US", "DE", "FR", "GB", "AU", "CA"} <= worldmap.country_codes()


def test_counts_shade_in_steps_of_ten():
    assert [worldmap.shade(n) for n in (0, 1, 9, 10, 99, 100, 9_999, 10_000, 10**7)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        4,
        5,
        5,
    ]
    assert worldmap.legend(5)[0] == (1, 5, 9)
    assert worldmap.legend()[-1] == (5, 10_000, None)


def test_the_svg_shades_only_the_counted_countries_and_escapes_names():
    svg = worldmap.svg(
        {"KG": 12, "FR": 3},
        name=lambda code: {"KG": "Kyrgyzstan", "FR": "<France>"}.get(code, code),
        title="Where",
        description="Two countries",
    )
    soup = BeautifulSoup(svg, "html.parser")
    shaded = {e["data-country"]: e["class"] for e in soup.select("[data-country][class]")}
    assert shaded.pop("KG") == ["shade-2"] and shaded.pop("FR") == ["shade-1"]
    assert all(classes == ["small-country"] for classes in shaded.values())
    assert soup.select_one('[data-country="FR"] title').string == "<France>: 3"
    assert "&lt;France&gt;" in str(svg)
    assert soup.svg["role"] == "img" and soup.svg.desc.string == "Two countries"
