"""An expired share stops working at its date without anyone acting: ``package_show`` at once
(``Share.active`` reads the date), the search index after the sweep that runs before every
``package_search`` and from ``ckan internalportal-sharing expire``; the sweep records an
``expired`` audit event and an activity. Time is simulated by setting ``expires`` in the past
directly in the database (no reading of any kind happens between that and the sweep the test
looks at: every label check runs the sweep too)."""
from __future__ import annotations

import datetime

import pytest
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib.search.common import make_connection

from ckanext.internalportal import settings
from ckanext.internalportal.sharing.cli import sharing as sharing_command
from ckanext.internalportal.sharing.model import Share, SharingEvent, utcnow
from tests.sharing.support import as_user, dataset, events, sees, share_rows

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_index")]


def indexed_for(pkg, organisation) -> bool:
    """Whether the dataset's Solr document carries the organisation's label."""
    return bool(make_connection().search(
        q=f'id:"{pkg["id"]}"', fq=f'permission_labels:"member-{organisation["id"]}"',
        fl="id").docs)


def shared(people, pkg, organisation="b", expires="2099-12-31") -> str:
    return as_user(people["admin"], "dataset_share_create", id=pkg["id"],
                   organization=people[organisation]["id"], expires=expires)["id"]


def time_passes(share_id: str, ago: datetime.timedelta = datetime.timedelta(minutes=1)):
    """The share's date is now past (as if the clock had run)."""
    model.Session.query(Share).filter_by(id=share_id).update(
        {"expires": utcnow() - ago})
    model.Session.commit()


def test_an_expired_share_stops_working_for_package_show_at_once(people):
    pkg = dataset(people, "private")
    share_id = shared(people, pkg)
    assert sees(people["b_member"], pkg)

    time_passes(share_id)

    # no sweep yet: the row is still "active", the date alone stops it
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "active")]
    assert not sees(people["b_member"], pkg)
    assert as_user(people["b_member"], "organization_shared_datasets_list",
                   id=people["b"]["id"]) == []


def test_an_expired_share_of_a_restricted_dataset_stops_giving_its_data_at_once(people):
    pkg = dataset(people, "restricted")
    share_id = shared(people, pkg)
    resource_id = pkg["resources"][0]["id"]
    as_user(people["b_member"], "resource_show", id=resource_id)

    time_passes(share_id)

    with pytest.raises(tk.NotAuthorized):
        as_user(people["b_member"], "resource_show", id=resource_id)
    assert as_user(people["b_member"], "package_show", id=pkg["id"])["resources"][0]["url"] == ""


def test_any_search_takes_the_expired_share_out_of_the_index(people):
    pkg = dataset(people, "private")
    share_id = shared(people, pkg)
    time_passes(share_id)
    assert indexed_for(pkg, people["b"])  # nobody has searched yet

    # anyone's search, even one that does not look for this dataset
    as_user(people["c_agent"], "package_search", q="rien")

    assert not indexed_for(pkg, people["b"])
    result = as_user(people["b_member"], "package_search", q=f'name:"{pkg["name"]}"',
                     include_private=True)
    assert result["count"] == 0
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "expired")]


def test_the_sweep_records_an_expired_event_and_activity(people):
    from ckanext.activity.model import Activity

    pkg = dataset(people, "private")
    share_id = shared(people, pkg)
    time_passes(share_id)

    as_user(people["c_agent"], "package_search", q="*:*")

    assert events(pkg["id"]) == ["granted", "expired"]
    model.Session.expire_all()
    event = model.Session.query(SharingEvent).filter_by(package_id=pkg["id"],
                                                        event="expired").one()
    assert event.group_id == people["b"]["id"]
    assert event.share_id == share_id
    assert event.user_id is None  # nobody acted
    assert event.expires is not None and event.expires <= utcnow()
    activity = model.Session.query(Activity).filter_by(
        object_id=pkg["id"], activity_type="share expired package").one()
    assert activity.data["organization"]["id"] == people["b"]["id"]
    assert f"member-{people['b']['id']}" not in activity.permission_labels


def test_the_sweep_leaves_the_shares_still_in_force(people):
    pkg = dataset(people, "private")
    due = shared(people, pkg, "b")
    shared(people, pkg, "c")
    time_passes(due)

    as_user(people["sysadmin"], "package_search", q="*:*")

    assert share_rows(pkg["id"]) == sorted([(people["b"]["id"], "expired"),
                                            (people["c"]["id"], "active")])
    assert sees(people["c_agent"], pkg) and indexed_for(pkg, people["c"])
    assert events(pkg["id"]).count("expired") == 1


def test_a_second_sweep_records_nothing_more(people):
    pkg = dataset(people, "private")
    time_passes(shared(people, pkg))
    as_user(people["sysadmin"], "package_search", q="*:*")
    as_user(people["sysadmin"], "package_search", q="*:*")
    assert events(pkg["id"]) == ["granted", "expired"]


def test_an_expired_share_may_be_granted_again(people):
    pkg = dataset(people, "private")
    time_passes(shared(people, pkg))
    shared(people, pkg)
    assert sees(people["b_member"], pkg)
    assert indexed_for(pkg, people["b"])


@pytest.mark.usefixtures("clean_db")
def test_the_expire_command_is_registered_with_ckan(cli):
    result = cli.invoke(ckan_command, ["internalportal-sharing", "expire", "--help"])
    assert result.exit_code == 0, result.output


def test_the_cli_expires_the_shares_past_their_date(cli, people):
    pkg, other = dataset(people, "private"), dataset(people, "restricted")
    due = shared(people, pkg), shared(people, other, "c")
    for share_id in due:
        time_passes(share_id)
    assert indexed_for(pkg, people["b"])  # nobody has read anything since

    result = cli.invoke(sharing_command, ["expire"])

    assert result.exit_code == 0, result.output
    assert "2 jeu(x)" in result.output
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "expired")]
    assert share_rows(other["id"]) == [(people["c"]["id"], "expired")]
    assert not indexed_for(pkg, people["b"])
    assert not indexed_for(other, people["c"])
    assert events(other["id"]) == ["granted", "expired"]

    again = cli.invoke(sharing_command, ["expire"])
    assert again.exit_code == 0 and "0 jeu(x)" in again.output
