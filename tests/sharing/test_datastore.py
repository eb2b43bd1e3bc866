"""CKAN's DataStore within the sharing rules (logic/datastore.py): a restricted dataset's table
for its organisation and the organisations it is shared with, through every route; a private
dataset's table does not exist for the others (404). The visibility matrix asks every role;
these are the cases as a reader would meet them."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.internalportal import settings
from tests.sharing.support import as_user, dataset, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_index")]


def table(people, level: str) -> str:
    pkg = dataset(people, level, resources=[{"name": "Table", "url": "https://example.org/t.csv"}])
    resource_id = pkg["resources"][0]["id"]
    helpers.call_action("datastore_create", context={"user": people["admin"]["name"]},
                        resource_id=resource_id, force=True,
                        fields=[{"id": "commune", "type": "text"}],
                        records=[{"commune": f"secret-{level}"}])
    return resource_id


def test_a_restricted_table_is_for_its_organisation_and_those_it_is_shared_with():
    people = world()
    restricted, public = table(people, "restricted"), table(people, "public")
    helpers.call_action("dataset_share_create", context={"user": people["admin"]["name"]},
                        id=helpers.call_action("resource_show", id=restricted)["package_id"],
                        organization=people["b"]["id"], reason="test")
    sql = f'SELECT commune FROM "{restricted}"'
    join = (f'SELECT p.commune FROM "{public}" p WHERE EXISTS '
            f'(SELECT 1 FROM "{restricted}" r WHERE r.commune LIKE \'secret%\')')
    for reader in ("member", "b_member"):
        rows = as_user(people[reader], "datastore_search", resource_id=restricted)["records"]
        assert [r["commune"] for r in rows] == ["secret-restricted"]
        assert as_user(people[reader], "datastore_search_sql", sql=sql)["records"]
    for query in ({"resource_id": restricted}, {"resource_id": restricted, "q": "secret"}):
        with pytest.raises(tk.NotAuthorized):
            as_user(people["c_agent"], "datastore_search", **query)
    for statement in (sql, join):
        with pytest.raises(tk.NotAuthorized):
            as_user(people["c_agent"], "datastore_search_sql", sql=statement)


def test_a_private_table_does_not_exist_for_the_others():
    people = world()
    private = table(people, "private")
    assert as_user(people["member"], "datastore_info", id=private)["meta"]
    for action, data in (("datastore_search", {"resource_id": private}),
                         ("datastore_info", {"id": private}),
                         ("datastore_search_sql", {"sql": f'SELECT * FROM "{private}"'})):
        with pytest.raises(tk.ObjectNotFound):
            as_user(people["c_agent"], action, **data)
        with pytest.raises(tk.ObjectNotFound):
            as_user(None, action, **data)


def test_nobody_lists_every_table():
    people = world()
    table(people, "private")
    with pytest.raises(tk.ObjectNotFound):
        as_user(people["sysadmin"], "datastore_search", resource_id="_table_metadata")
