"""The demo loader needs the portal's schema: without it, it says so before writing anything."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from ckanext.internalportal.demo import loader
from ckanext.internalportal.lib.context import site_context
from tests.demo.test_loader import small_demo  # noqa: F401 (fixture)

# the base plugin and dcat, without scheming: the portal's schema is not active
pytestmark = pytest.mark.ckan_config("ckan.plugins", "internalportal dcat")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_without_the_portal_s_schema_the_loader_says_so_in_french_and_writes_nothing(
        small_demo):
    with pytest.raises(loader.DemoDataError) as error:
        loader.load(small_demo, site_context)
    assert "schéma du portail" in str(error.value)
    assert helpers.call_action("organization_list") == []
    assert helpers.call_action("package_list") == []
