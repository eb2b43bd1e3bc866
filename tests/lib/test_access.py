"""The access-level rules, read from the access-level vocabulary (one place for « is this level
public »: the validators, the quality score and the RDF catalogue use it)."""
from __future__ import annotations

import pytest

from ckanext.internalportal.lib import access
from ckanext.internalportal.schemas import vocabularies


@pytest.mark.parametrize("level, private", [
    ("public", False), ("internal", True), ("restricted", True), ("private", True),
    ("unknown", True), (None, True), (3, True), (" public ", False),
])
def test_ckan_private_follows_the_level_and_an_unknown_level_is_never_public(level, private):
    assert access.is_private_level(level) is private
    assert access.is_public_level(level) is not private


def test_the_public_levels_are_those_the_vocabulary_marks_not_private():
    levels = vocabularies.vocabulary("access-level")
    assert {c.code for c in levels if access.is_public_level(c.code)} == \
        {c.code for c in levels if c.data.get("private") is False}


@pytest.mark.parametrize("pkg, open_data", [
    ({"access_level": "public", "private": False}, True),
    ({"access_level": "internal", "private": True}, False),
    ({"access_level": "restricted"}, False),
    ({"private": False}, True),          # from a CKAN without the portal's schema
    ({"private": "True"}, False),
    ({}, True),                           # CKAN's default: public
])
def test_open_data(pkg, open_data):
    assert access.is_open_data(pkg) is open_data
