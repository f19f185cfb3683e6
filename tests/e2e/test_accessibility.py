"""Every main page, in English, French and Spanish: no serious or critical axe-core
violations, and a screenshot of each for the record."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from models import Mailing
from tests.conftest import PASSWORD

LANGUAGES = ["en", "fr", "es"]
PUBLIC = [
    "/",
    "/campaigns/azimjan-askarov",
    "/postage?from=US&to=KG&kind=letter&weight=20",
    "/login",
]
SIGNED_IN = [
    "/mailings/new",
    "/mailings",
    "/batches/{batch}",
    "/slips/{code}",
    "/m/{code}",
    "/campaigns",
    "/chapters",
    "/users",
    "/campaigns/new",
    "/reports",
    "/account/tokens",
]


def serious(results) -> list[str]:
    """Name each serious or critical violation with the elements it was found on."""
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def batch(world, make, fresh):
    batch = make.batch(world["staff"], count=3, chapter="class-4b")
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
    return {"batch": batch.id, "code": code}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_pass_axe(page, served, world, shot, lang):
    axe = Axe()
    for path in PUBLIC:
        sep = "&" if "?" in path else "?"
        page.goto(f"{served}{path}{sep}lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        shot(f"{lang}-{path.strip('/').split('?')[0].replace('/', '-') or 'home'}")
        assert serious(axe.run(page)) == [], path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_signed_in_pages_pass_axe(page, served, world, batch, shot, lang):
    axe = Axe()
    page.goto(f"{served}/language?lang={lang}&next=/")
    sign_in_label = {"en": "Sign in", "fr": "Se connecter", "es": "Iniciar sesión"}[lang]
    page.goto(f"{served}/login")
    page.locator("#email").fill("staff@example.org")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=sign_in_label).click()
    for path in SIGNED_IN:
        page.goto(served + path.format(**batch))
        assert page.locator("html").get_attribute("lang") == lang
        shot(f"{lang}-{path.strip('/').split('/')[0]}")
        assert serious(axe.run(page)) == [], path


def test_the_calculator_answers_in_french(page, served, world, shot):
    page.goto(f"{served}/postage?lang=fr")
    page.get_by_label("Posté depuis").select_option("DE")
    page.get_by_label("Envoyé à", exact=True).select_option("KG")
    page.get_by_label("Poids").fill("20")
    page.get_by_label("Date de dépôt").fill("2025-11-20")
    page.get_by_role("button", name="Calculer l’affranchissement").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#calc-to option:checked").inner_text() == "Kirghizstan"
    answer = page.locator("#postage")
    # FACTS 2.7: Deutsche Post's international Standardbrief, €1.25 from 2025-01-01,
    # written the French way.
    assert "1,25\u00a0€" in answer.inner_text()  # a French non-breaking space
    assert "Tarif en vigueur depuis le" in answer.inner_text()
    shot("answer")
