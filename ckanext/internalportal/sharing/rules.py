"""Who may see a dataset, and who may have its data: the sharing rules as pure functions over
labels (CKAN's ``IPermissionLabels`` vocabulary), tested without the web stack.

CKAN decides ``package_show``, ``package_search`` and the activity streams by intersecting the
labels of a dataset with the labels of a user (``ckan.lib.plugins.DefaultPermissionLabels``):
``public``, ``member-<organisation id>``, ``creator-<user id>``, ``collaborator-<dataset id>``.
The portal adds two things and no label per user:

- ``agent``: carried by every user who is a member of at least one organisation, and by the
  active ``internal`` and ``restricted`` datasets (their metadata is for every agent);
- a share to organisation B adds B's own ``member-<B>`` label to the dataset, so B's members
  match it with the labels CKAN already gives them. The Solr filter of a user therefore grows
  with the organisations they belong to, never with the shares those organisations receive.

The data of a ``restricted`` dataset (resource URLs, downloads, views, DataStore) follows the
*data labels*: the dataset's labels without ``agent``. Activity records carry the same data
labels: an activity keeps the whole dataset dict, resource URLs included.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Optional

AGENT_LABEL = "agent"
PUBLIC_LABEL = "public"
MEMBER_PREFIX = "member-"

# the levels whose metadata every agent reads; the data of `restricted` stays reserved
AGENT_METADATA_LEVELS = frozenset({"internal", "restricted"})
# the levels that may be shared with an organisation: the others are read by every agent already
SHAREABLE_LEVELS = frozenset({"restricted", "private"})
# the levels whose data every agent may have
AGENT_DATA_LEVELS = frozenset({"internal"})


def organisation_label(organisation_id: str) -> str:
    return f"{MEMBER_PREFIX}{organisation_id}"


def dataset_labels(ckan_labels: Sequence[str], level: str, state: str,
                   shared_with: Iterable[str]) -> list[str]:
    """The labels of a dataset: CKAN's (``ckan_labels``), plus ``agent`` for an active
    internal or restricted dataset, plus one ``member-<organisation>`` per organisation it is
    shared with (active shares only). A public dataset (CKAN's ``public`` label) and a draft
    or deleted one stay as CKAN has them."""
    labels = list(ckan_labels)
    if PUBLIC_LABEL in labels or state != "active":
        return labels
    if level in AGENT_METADATA_LEVELS:
        labels.append(AGENT_LABEL)
    if level in SHAREABLE_LEVELS:
        labels.extend(organisation_label(org) for org in sorted(set(shared_with))
                      if organisation_label(org) not in labels)
    return labels


def is_data_reserved(level: Optional[str]) -> bool:
    """Whether a level keeps the data from some of those who see the metadata (restricted:
    every agent reads the metadata, the data is for the owner and shared organisations)."""
    return level in AGENT_METADATA_LEVELS and level not in AGENT_DATA_LEVELS


def data_labels(labels: Sequence[str], level: str) -> list[str]:
    """Who may have the data of a dataset with ``labels``: everyone who sees it, except for a
    restricted dataset, whose data is for the owner organisation and those it is shared with
    (the labels without ``agent``)."""
    if is_data_reserved(level):
        return [label for label in labels if label != AGENT_LABEL]
    return list(labels)


# the labels that open a dataset to a whole population rather than to named organisations
BROAD_LABELS = frozenset({PUBLIC_LABEL, AGENT_LABEL})


def activity_labels(recorded: Optional[Sequence[str]], now: Sequence[str]) -> list[str]:
    """The labels a past activity of a dataset takes when the dataset's (data) labels become
    ``now`` (a share granted, revoked or expired, a change of level).

    An activity keeps the dataset dict of its day, so it is never shown more widely than when
    it was recorded, as CKAN has it (CKAN never relabels: a private dataset made public keeps
    the activities of its private past for its organisation and collaborators). It is shown
    less widely when the dataset closes (a public dataset made private withdraws its public
    history), and the organisations a share names see the history as they see the dataset:
    ``now``'s organisation and collaborator labels, ``now``'s broad labels (``public``,
    ``agent``) only where the activity already had them (``public`` covers ``agent``)."""
    if recorded is None:
        return list(now)
    if PUBLIC_LABEL in now:
        return list(recorded)
    reach = set(recorded)
    if PUBLIC_LABEL in reach:
        reach |= BROAD_LABELS
    return [label for label in now if label not in BROAD_LABELS or label in reach]


def user_labels(ckan_labels: Sequence[str]) -> list[str]:
    """The labels of a user: CKAN's, plus ``agent`` when they belong to an organisation (an
    account of no organisation — new, self-registered, external — sees public data only)."""
    labels = list(ckan_labels)
    if any(label.startswith(MEMBER_PREFIX) for label in labels):
        labels.append(AGENT_LABEL)
    return labels


def matches(user: Iterable[str], dataset: Iterable[str]) -> bool:
    return not set(user).isdisjoint(dataset)
