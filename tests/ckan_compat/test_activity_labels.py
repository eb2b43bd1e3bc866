"""The labels a dataset's past activities take when its labels change
(``sharing/rules.activity_labels``): never wider than when they were recorded, as CKAN keeps
them (CKAN's own ``test_private_dataset_activities_visibility``, run by test_ckan_suite.py),
narrower when the dataset closes, following the shares. Pure: no database."""
from __future__ import annotations

from ckanext.internalportal.sharing import rules

OWNER, B, COLLAB = "member-owner", "member-b", "collaborator-pkg"


def test_a_private_past_stays_private_when_the_dataset_is_made_public():
    assert rules.activity_labels([COLLAB, OWNER], ["public"]) == [COLLAB, OWNER]


def test_a_public_past_is_withdrawn_when_the_dataset_is_made_private():
    assert rules.activity_labels(["public"], [COLLAB, OWNER]) == [COLLAB, OWNER]


def test_a_private_past_is_not_shown_to_every_agent_when_the_dataset_becomes_internal():
    assert rules.activity_labels([OWNER], [OWNER, "agent"]) == [OWNER]


def test_a_public_past_stays_for_agents_when_the_dataset_becomes_internal():
    assert rules.activity_labels(["public"], [OWNER, "agent"]) == [OWNER, "agent"]


def test_a_share_shows_the_history_to_the_receiving_organisation_and_a_revoke_hides_it():
    shared = rules.activity_labels([OWNER], [OWNER, B])
    assert shared == [OWNER, B]
    assert rules.activity_labels(shared, [OWNER]) == [OWNER]


def test_the_data_of_a_restricted_past_leaves_the_agents_when_it_becomes_restricted():
    # an internal dataset's activities carry `agent`; restricted data labels do not
    assert rules.activity_labels([OWNER, "agent"], [OWNER]) == [OWNER]


def test_an_activity_without_labels_takes_the_labels_of_now():
    assert rules.activity_labels(None, [OWNER]) == [OWNER]
