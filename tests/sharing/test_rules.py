"""The sharing rules as pure functions (``sharing/rules.py``) and the expiry date of a share
(``sharing/logic/validators.parse_expiry``): no database, no web stack."""
from __future__ import annotations

import datetime

import pytest

from ckanext.internalportal.sharing import rules
from ckanext.internalportal.sharing.logic.validators import parse_expiry

OWNER = "member-owner"
B, C = "b-id", "c-id"


# ------------------------------------------------------------------ dataset labels
def test_a_public_dataset_keeps_ckan_labels_and_is_never_widened_by_shares():
    assert rules.dataset_labels(["public"], "public", "active", [B]) == ["public"]


@pytest.mark.parametrize("level", ["internal", "restricted"])
def test_internal_and_restricted_datasets_are_for_every_agent(level):
    assert rules.AGENT_LABEL in rules.dataset_labels([OWNER], level, "active", [])


def test_a_private_dataset_is_not_for_every_agent():
    assert rules.dataset_labels([OWNER], "private", "active", []) == [OWNER]


@pytest.mark.parametrize("level", ["restricted", "private"])
def test_a_share_adds_the_receiving_organisation_label_once(level):
    labels = rules.dataset_labels([OWNER], level, "active", [B, C, B])
    assert labels.count(rules.organisation_label(B)) == 1
    assert rules.organisation_label(C) in labels
    assert labels[0] == OWNER


def test_an_internal_dataset_gets_no_organisation_label_from_a_share():
    # every agent reads it already: a share adds nothing
    labels = rules.dataset_labels([OWNER], "internal", "active", [B])
    assert rules.organisation_label(B) not in labels


@pytest.mark.parametrize("state", ["draft", "deleted"])
def test_draft_and_deleted_datasets_stay_as_ckan_has_them(state):
    assert rules.dataset_labels([OWNER], "private", state, [B]) == [OWNER]
    assert rules.dataset_labels([OWNER], "restricted", state, [B]) == [OWNER]


def test_a_share_with_the_owner_itself_does_not_duplicate_its_label():
    labels = rules.dataset_labels(["member-owner"], "private", "active", ["owner"])
    assert labels == ["member-owner"]


def test_the_labels_of_a_dataset_grow_with_its_shares_not_with_users():
    many = [f"org-{i}" for i in range(50)]
    labels = rules.dataset_labels([OWNER], "private", "active", many)
    assert len(labels) == 51


# ------------------------------------------------------------------ data labels
def test_the_data_of_a_restricted_dataset_is_not_for_every_agent():
    labels = rules.dataset_labels([OWNER], "restricted", "active", [B])
    data = rules.data_labels(labels, "restricted")
    assert rules.AGENT_LABEL not in data
    assert set(data) == {OWNER, rules.organisation_label(B)}


def test_the_data_of_an_internal_dataset_goes_with_its_metadata():
    labels = rules.dataset_labels([OWNER], "internal", "active", [])
    assert rules.data_labels(labels, "internal") == labels


@pytest.mark.parametrize("level", ["public", "private"])
def test_the_data_of_public_and_private_datasets_goes_with_their_metadata(level):
    labels = ["public"] if level == "public" else [OWNER, rules.organisation_label(B)]
    assert rules.data_labels(labels, level) == labels


# ------------------------------------------------------------------ user labels
def test_a_member_of_an_organisation_is_an_agent():
    assert rules.AGENT_LABEL in rules.user_labels(["public", "creator-u", "member-x"])


def test_an_account_of_no_organisation_is_not_an_agent():
    assert rules.user_labels(["public", "creator-u"]) == ["public", "creator-u"]


def test_anonymous_is_not_an_agent():
    assert rules.user_labels(["public"]) == ["public"]


# ------------------------------------------------------------------ matching
@pytest.mark.parametrize("user, level, shares, sees, has_data", [
    # member of the receiving organisation
    (["public", "member-b-id"], "private", [B], True, True),
    (["public", "member-b-id"], "restricted", [B], True, True),
    # agent of an unrelated organisation
    (["public", "member-c-id"], "private", [B], False, False),
    (["public", "member-c-id"], "restricted", [B], True, False),
    (["public", "member-c-id"], "internal", [], True, True),
    # account of no organisation
    (["public"], "internal", [], False, False),
    (["public"], "restricted", [B], False, False),
    # member of the owner organisation
    (["public", OWNER], "private", [], True, True),
    (["public", OWNER], "restricted", [], True, True),
])
def test_who_sees_the_metadata_and_who_has_the_data(user, level, shares, sees, has_data):
    user_labels = rules.user_labels(user)
    labels = rules.dataset_labels([OWNER], level, "active", shares)
    assert rules.matches(user_labels, labels) is sees
    assert rules.matches(user_labels, rules.data_labels(labels, level)) is has_data


# ------------------------------------------------------------------ expiry dates
NOW = datetime.datetime(2026, 6, 15, 12, 0)


def test_a_bare_date_means_through_that_day():
    assert parse_expiry("2026-06-30", now=NOW) == datetime.datetime(2026, 7, 1)


def test_a_date_object_means_through_that_day():
    assert parse_expiry(datetime.date(2026, 6, 15), now=NOW) == datetime.datetime(2026, 6, 16)


def test_today_is_still_in_the_future_until_midnight():
    assert parse_expiry(NOW.date().isoformat(), now=NOW) == datetime.datetime(2026, 6, 16)


def test_a_date_time_with_offset_is_stored_as_naive_utc():
    assert parse_expiry("2026-06-20T10:00:00+02:00", now=NOW) == \
        datetime.datetime(2026, 6, 20, 8, 0)
    assert parse_expiry("2026-06-20T10:00:00Z", now=NOW) == datetime.datetime(2026, 6, 20, 10)


def test_a_naive_date_time_is_taken_as_utc():
    assert parse_expiry(datetime.datetime(2026, 6, 15, 13), now=NOW) == \
        datetime.datetime(2026, 6, 15, 13)


def test_surrounding_spaces_are_ignored():
    assert parse_expiry("  2026-06-30 ", now=NOW) == datetime.datetime(2026, 7, 1)


@pytest.mark.parametrize("value", ["2026-06-14", "2020-01-01", "2026-06-15T12:00:00",
                                   "2026-06-15T11:59:59"])
def test_a_date_already_past_is_refused(value):
    with pytest.raises(LookupError):
        parse_expiry(value, now=NOW)


@pytest.mark.parametrize("value", ["demain", "31/12/2026", "2026-13-01", "", 20260630, None,
                                   ["2026-06-30"]])
def test_what_is_not_a_date_is_refused(value):
    with pytest.raises(ValueError):
        parse_expiry(value, now=NOW)
