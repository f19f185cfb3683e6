"""The counters and the dashboard in a real browser: they pass axe in three languages,
and a counter left open on a classroom wall updates itself without a reload."""

import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.test_accessibility import serious

LANGUAGES = ["en", "fr", "es"]
_ids = itertools.count()


@pytest.fixture
def mail(world, make):
    make.batch(world["coordinator"], submission_id="e2e-1", count=12)
    make.batch(
        world["other"],
        submission_id="e2e-2",
        count=7,
        chapter="leeds",
        sender_town="Leeds",
        sender_country="GB",
    )
    return world


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_counters_and_the_dashboard_pass_axe(page, served, mail, shot, lang):
    axe = Axe()
    for path in ("/counter/azimjan-askarov", "/counter/azimjan-askarov/embed"):
        page.goto(f"{served}{path}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        shot(f"{lang}-{path.strip('/').replace('/', '-')}")
        assert serious(axe.run(page)) == [], path
    page.goto(f"{served}/language?lang={lang}&next=/")
    page.goto(f"{served}/login")
    page.locator("#email").fill("staff@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.goto(f"{served}/dashboard/azimjan-askarov")
    assert page.locator("html").get_attribute("lang") == lang
    shot(f"{lang}-dashboard")
    assert serious(axe.run(page)) == [], "/dashboard/azimjan-askarov"


def test_an_open_counter_updates_itself_and_sets_no_cookie(page, served, mail, make, shot):
    # Reduced motion: the number changes at once instead of counting up frame by frame
    # (the fake clock below would hold the frames back).
    page.emulate_media(reduced_motion="reduce")
    page.clock.install()
    page.goto(f"{served}/counter/azimjan-askarov")
    total = page.locator("[data-total]")
    assert total.inner_text() == "19"
    assert page.locator("[data-line]").inner_text() == (
        "Together we have sent 19 letters to help free Azimjan!"
    )
    shot("before")
    make.batch(
        mail["staff"],
        submission_id="e2e-3",
        count=6,
        sender_town="Reykjavík",
        sender_country="IS",
    )
    page.clock.fast_forward("00:31")  # the next 30-second refresh
    # expect() polls from Python: the page's CSP forbids the eval wait_for_function needs.
    expect(page.locator("[data-total]")).to_have_text("25", timeout=10_000)
    assert page.locator("[data-line]").inner_text() == (
        "Together we have sent 25 letters to help free Azimjan!"
    )
    assert page.locator(".counter-countries").inner_text() == "from 3 countries"
    assert page.locator('svg.worldmap [data-country="IS"]').get_attribute("class") == "shade-1"
    shot("after")
    assert page.context.cookies() == []
