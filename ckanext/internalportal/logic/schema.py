"""Input schemas (CKAN navl) of the portal's actions and of the guards on CKAN's own actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.internalportal.logic import guards

# package_search's parameters that CKAN reads as booleans with ``asbool`` (an error on
# ``banana``) or that Solr reads as such
SEARCH_BOOLEANS = ("include_private", "include_drafts", "include_deleted", "use_default_schema",
                   "include_plugin_data", "facet")
SEARCH_TEXTS = ("q", "fq", "sort", "qf", "defType")
SEARCH_TEXT_LISTS = ("fl", "facet.field")


@validator_args
def package_search_guard_schema(
        ignore_missing: Validator, internalportal_text: Validator,
        internalportal_text_list: Validator, internalportal_strict_boolean: Validator,
        internalportal_integer_between: ValidatorFactory) -> Schema:
    """What the portal checks before CKAN's ``package_search`` (which does its own conversions
    after): texts are texts, booleans are booleans, offsets are bounded."""
    schema: Schema = {
        "rows": [ignore_missing, internalportal_integer_between(0, guards.MAX_START)],
        "start": [ignore_missing, internalportal_integer_between(0, guards.MAX_START)],
        "facet.limit": [ignore_missing,
                        internalportal_integer_between(-1, guards.MAX_FACET_LIMIT)],
        "facet.mincount": [ignore_missing, internalportal_integer_between(0, 2 ** 31 - 1)],
    }
    schema.update({key: [ignore_missing, internalportal_text] for key in SEARCH_TEXTS})
    schema.update({key: [ignore_missing, internalportal_text_list] for key in SEARCH_TEXT_LISTS})
    schema.update({key: [ignore_missing, internalportal_strict_boolean]
                   for key in SEARCH_BOOLEANS})
    return schema
