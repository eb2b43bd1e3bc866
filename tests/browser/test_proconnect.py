"""Signing in with ProConnect in Debian's Chromium, against the real local OpenID provider:
the DSFR's ProConnect button on the sign-in page, the provider's form, back on the portal
signed in and member of the agent's ministry (a French page, no serious or critical axe-core
violation); « Se déconnecter » ends the provider's session too (its page submits itself)."""
from __future__ import annotations

import pytest
from ckan.tests import factories

from ckanext.internalportal import settings
from tests.browser.harness import AXE, blocking
from tests.proconnect.conftest import PASSWORD, configured, proconnect_stack  # noqa: F401

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


def test_an_agent_signs_in_and_out_with_proconnect_in_the_browser(
        browser, app, proconnect_stack, monkeypatch, axe_log, request):  # noqa: F811
    request.getfixturevalue("clean_db")
    orgs = {"ministere-b": factories.Organization(name="ministere-b", title="Ministère B")}
    with configured(app, proconnect_stack, monkeypatch, orgs) as flow:
        context = browser.context()
        page = context.new_page()
        try:
            page.goto(flow.portal + "/user/login?came_from=/partages", wait_until="load")
            button = page.locator("button.fr-connect.fr-connect--pro")
            assert button.count() == 1
            assert "S’identifier avec" in button.inner_text()
            assert "ProConnect" in button.inner_text()
            with page.expect_navigation():
                button.click()
            # the provider's form (scripts/oidc/provider.mjs)
            page.wait_for_selector("input[name=password]")
            page.fill("input[name=login]", "camille.durand@b.gouv.fr")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation(url=f"{flow.portal}/partages**", timeout=60000):
                page.press("input[name=password]", "Enter")
            page.wait_for_load_state("load")
            assert page.url.startswith(flow.portal + "/partages")
            assert page.get_attribute("html", "lang") == "fr"
            assert page.locator("form.internalportal-logout").count() >= 1
            assert ("membre de l'organisation « Ministère B »"
                    in page.locator("body").inner_text())
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
            )["violations"]
            axe_log.add("proconnect-connecte/agent", violations)
            assert not blocking(violations), blocking(violations)

            # sign out: the portal, then the provider's page, which submits itself
            with page.expect_navigation(url=f"{flow.portal}/user/logged_out_redirect**",
                                        timeout=60000):
                page.locator("form.internalportal-logout button:visible").first.click()
            assert page.locator("form.internalportal-logout").count() == 0
            page.goto(flow.portal + "/proconnect/login", wait_until="load")
            # the provider asks for the password again: its session ended
            assert page.locator("input[name=password]").count() == 1
        finally:
            context.close()
