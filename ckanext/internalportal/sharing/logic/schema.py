"""Input schemas of the sharing actions (applied with ``tk.navl_validate``)."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ckanext.internalportal.sharing.logic import validators as v


@validator_args
def share_create(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
                 ignore_missing: Validator, boolean_validator: Validator,
                 strip_value: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "organization": [not_missing, not_empty, unicode_safe, strip_value],
        "expires": [ignore_missing, v.internalportal_share_expiry],
        "reason": [ignore_missing, unicode_safe, strip_value],
        "can_edit": [ignore_missing, boolean_validator],
    }


@validator_args
def share_delete(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
                 ignore_missing: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "organization": [not_missing, not_empty, unicode_safe, strip_value],
        "reason": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def by_id(not_missing: Validator, not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_missing, not_empty, unicode_safe]}


@validator_args
def request_create(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
                   ignore_missing: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "reason": [v.internalportal_reason_required, unicode_safe, strip_value],
        "organization": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def request_approve(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
                    ignore_missing: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "expires": [ignore_missing, v.internalportal_share_expiry],
        "reason": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def request_refuse(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
                   strip_value: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "reason": [v.internalportal_reason_required, unicode_safe, strip_value],
    }


@validator_args
def request_list(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "state": [ignore_missing, v.internalportal_request_state],
    }
