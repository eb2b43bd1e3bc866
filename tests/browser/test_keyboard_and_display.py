"""What a keyboard user, a reader in the dark theme, a reader who prints and an English reader
get, in Debian's Chromium: skip links first, a focus one can see, the language menu, the
display settings and the mobile menu opened and used without a mouse; the dark theme
without serious or critical axe-core violation; the dataset page printed without the site's
chrome; the English pages in English."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ckanext.internalportal import settings
from tests.browser.harness import ARTIFACTS, PAGES, blocking, visit_id

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

# the pages audited again in the dark theme (each with its first visitor)
DARK = ("accueil", "recherche", "jeu-public", "ressource", "organisation", "connexion",
        "partage", "source", "formulaire-jeu", "statistiques-jeu", "404",
        "connexion-proconnect-refusee")


def _focused(visit) -> dict:
    """The focused element, and its focus ring: its outline, or that of its ``::before``
    (where the DSFR draws the ring of a link enlarged to its block, ``fr-enlarge-link``)."""
    return visit.page.evaluate("""() => {
        const e = document.activeElement;
        const ring = [getComputedStyle(e), getComputedStyle(e, '::before')]
            .filter(s => s.outlineStyle !== 'none')
            .map(s => parseFloat(s.outlineWidth) || 0);
        return {text: (e.innerText || e.value || '').trim(), id: e.id, tag: e.tagName,
                href: e.getAttribute('href'), outline: ring.length ? 'solid' : 'none',
                outlineWidth: Math.max(0, ...ring)};
    }""")


def test_the_skip_links_come_first_are_visible_on_focus_and_lead_to_the_content(browser, portal):
    visit = browser.open(portal.url, f"/dataset/{portal.world.public['name']}")
    try:
        visit.page.keyboard.press("Tab")
        first = _focused(visit)
        assert (first["text"], first["href"]) == ("Contenu", "#content")
        # DSFR's focus ring: a 2px outline, not the browser's default nor none
        assert first["outline"] == "solid" and first["outlineWidth"] >= 2
        assert visit.page.locator(".fr-skiplinks").is_visible()
        visit.page.keyboard.press("Enter")
        assert visit.page.evaluate("location.hash") == "#content"
        assert visit.page.evaluate("document.activeElement.id") == "content"
        # the next Tab goes into the page's content, after the header
        visit.page.keyboard.press("Tab")
        assert visit.page.evaluate(
            "!!document.activeElement.closest('#content')"), _focused(visit)
    finally:
        visit.context.close()


def test_every_focusable_element_of_the_header_shows_its_focus(browser, portal):
    visit = browser.open(portal.url, "/")
    try:
        seen = []
        for _ in range(12):
            visit.page.keyboard.press("Tab")
            element = _focused(visit)
            if visit.page.evaluate("!!document.activeElement.closest('#content')"):
                break
            seen.append(element)
            assert element["outline"] != "none" and element["outlineWidth"] >= 2, element
        labels = [e["text"] for e in seen]
        assert "Connexion" in labels and "Paramètres d'affichage" in labels, labels
    finally:
        visit.context.close()


def test_the_language_menu_works_with_the_keyboard_and_english_pages_are_in_english(
        browser, portal):
    visit = browser.open(portal.url, "/dataset/")
    try:
        # (the DSFR's script copies the header's tools into the mobile menu: the header's own)
        button = visit.page.locator(".fr-header__tools .fr-translate__btn")
        button.focus()
        visit.page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        english = visit.page.locator(".fr-header__tools .fr-translate__language[lang=en]")
        expect(english).to_be_visible()
        english.focus()
        with visit.page.expect_navigation():
            visit.page.keyboard.press("Enter")
        visit.page.wait_for_load_state("networkidle")
        assert visit.page.url.endswith("/en/dataset/")
        assert visit.page.get_attribute("html", "lang") == "en"
        footer = visit.page.locator("footer.fr-footer").inner_text()
        assert "Accessibility: not compliant" in footer and "Legal notice" in footer
        assert visit.page.locator("#main-navigation").get_by_text("Datasets").count() == 1
        violations = visit.audit()["violations"]
        assert not blocking(violations), "\n".join(blocking(violations))
    finally:
        visit.context.close()


def test_the_dark_theme_is_chosen_with_the_keyboard_and_kept_from_page_to_page(browser, portal):
    visit = browser.open(portal.url, "/")
    try:
        html = visit.page.locator("html")
        assert html.get_attribute("data-fr-theme") == "light"
        opener = visit.page.locator(".fr-header__tools [aria-controls=fr-theme-modal]")
        opener.focus()
        visit.page.keyboard.press("Enter")
        modal = visit.page.locator("#fr-theme-modal")
        modal.wait_for(state="visible")
        visit.page.locator("#fr-radios-theme-dark").focus()
        visit.page.keyboard.press("Space")
        visit.page.wait_for_function(
            "document.documentElement.getAttribute('data-fr-theme') === 'dark'")
        # (the DSFR ignores Escape in a form field: back to « Fermer », then Enter)
        visit.page.keyboard.press("Shift+Tab")
        assert _focused(visit)["text"] == "Fermer"
        visit.page.keyboard.press("Enter")
        modal.wait_for(state="hidden")
        background = visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        visit.goto(f"/dataset/{portal.world.public['name']}")
        assert visit.page.get_attribute("html", "data-fr-theme") == "dark"
    finally:
        visit.context.close()


@pytest.mark.parametrize("page", [p for p in PAGES if p.name in DARK], ids=visit_id)
def test_dark_theme_pages_have_no_serious_or_critical_violation(browser, portal, axe_log, page):
    who = page.who[0]
    visit = browser.open(portal.url, page.path(portal.world), portal.world.user(who),
                         scheme="dark")
    try:
        assert visit.page.get_attribute("html", "data-fr-theme") == "dark"
        visit.screenshot(f"{page.name}-{who}-sombre")
        violations = visit.audit()["violations"]
        axe_log.add(f"{page.name} ({who}, sombre)", violations)
        assert not blocking(violations), "\n".join(blocking(violations))
    finally:
        visit.context.close()


def test_the_mobile_menu_opens_and_closes_with_the_keyboard(browser, portal):
    visit = browser.open(portal.url, "/", viewport={"width": 375, "height": 812})
    try:
        navigation = visit.page.locator("#main-navigation")
        assert not navigation.is_visible()
        visit.page.locator("#header-menu-button").focus()
        visit.page.keyboard.press("Enter")
        navigation.wait_for(state="visible")
        assert navigation.get_by_text("Jeux de données").is_visible()
        visit.page.keyboard.press("Escape")
        navigation.wait_for(state="hidden")
        violations = visit.audit()["violations"]
        assert not blocking(violations), "\n".join(blocking(violations))
    finally:
        visit.context.close()


def test_the_dataset_page_prints_without_the_site_chrome(browser, portal):
    world = portal.world
    visit = browser.open(portal.url, f"/dataset/{world.public['name']}")
    try:
        page = visit.page
        # the page's « Imprimer » button opens the browser's print dialog
        page.evaluate("window.print = () => { window.__printed = true; }")
        page.get_by_role("button", name="Imprimer").click()
        assert page.evaluate("window.__printed === true")

        page.emulate_media(media="print")
        assert page.locator("h1").first.is_visible()
        assert page.get_by_text(world.public["resources"][0]["name"]).first.is_visible()
        for chrome in ("#main-navigation", ".fr-header__tools", ".fr-footer__bottom",
                       ".fr-skiplinks", ".internalportal-tabs"):
            locator = page.locator(chrome)
            assert locator.count() == 0 or not locator.first.is_visible(), chrome
        assert not page.get_by_role("button", name="Imprimer").is_visible()
        # a resource's address is printed after its link (paper cannot be clicked)
        printed = page.evaluate("""url => [...document.querySelectorAll('main a[href]')]
            .filter(a => a.href === url)
            .map(a => getComputedStyle(a, '::after').content)""",
                                world.public["resources"][0]["url"])
        assert any(world.public["resources"][0]["url"] in c for c in printed), printed
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf = page.pdf(path=str(ARTIFACTS / "jeu-public-impression.pdf"), format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        visit.context.close()
