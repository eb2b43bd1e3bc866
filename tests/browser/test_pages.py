"""Every page of ``harness.PAGES``, for each of its visitors, in Debian's Chromium: a French
DSFR page (the DSFR's header and footer, its stylesheet served by the portal, ``lang="fr"``),
nothing loaded from outside the portal, no script error, and axe-core finds no serious or
critical violation of WCAG 2.1 A/AA (what RGAA 4.1 checks). A screenshot of each is saved
(``.state/browser/``)."""
from __future__ import annotations

import pytest

from ckanext.internalportal import settings
from tests.browser.harness import blocking, visit_id, visits

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


@pytest.mark.parametrize("page, who", visits(), ids=visit_id)
def test_page_is_french_dsfr_accessible_and_self_contained(browser, portal, axe_log, page, who):
    world = portal.world
    visit = browser.open(portal.url, page.path(world), world.user(who))
    try:
        assert visit.status == page.status, visit.page.url
        html = visit.html()
        visit.screenshot(f"{page.name}-{who}")

        assert visit.page.get_attribute("html", "lang") == "fr"
        # the DSFR's header (the Marianne block) and footer, the mandatory links in it
        assert visit.page.locator("header.fr-header .fr-logo").count() == 1
        footer = visit.page.locator("footer.fr-footer")
        assert footer.count() == 1
        for label in ("Accessibilité : non conforme", "Mentions légales",
                      "Données personnelles", "Plan du site"):
            assert footer.get_by_text(label, exact=False).count() >= 1, label
        # the DSFR's stylesheet and scripts, served by the portal
        assert visit.page.evaluate(
            "getComputedStyle(document.documentElement)"
            ".getPropertyValue('--background-action-high-blue-france').trim()") == "#000091"
        assert visit.page.evaluate("document.documentElement.dataset.frJs") == "true", \
            "the DSFR's script did not start"
        assert not visit.outside, f"requests outside the portal: {visit.outside}"
        assert not visit.broken, f"files the portal did not serve: {visit.broken}"
        assert not visit.console_errors, visit.console_errors
        assert "Powered by" not in html and "Généré par" not in html

        violations = visit.audit()["violations"]
        axe_log.add(f"{page.name} ({who})", violations)
        assert not blocking(violations), "\n".join(blocking(violations))
    finally:
        visit.context.close()
