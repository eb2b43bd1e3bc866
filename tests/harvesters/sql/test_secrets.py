"""A source URL's password: its parts, its display, environment variables. Pure (the table
that keeps typed passwords is exercised in test_harvest.py)."""
from __future__ import annotations

import pytest

from ckanext.internalportal.harvesters.sql import secrets
from ckanext.internalportal.harvesters.sql.secrets import SecretError


def test_a_typed_password_is_masked_and_a_variable_name_shown():
    assert secrets.display_url("postgresql://harvest:s3cr%40t@db.app:5432/app") == \
        "postgresql://harvest:********@db.app:5432/app"
    token = secrets.new_token()
    assert secrets.display_url(f"postgresql://harvest:{secrets.reference(token)}@db/app") == \
        "postgresql://harvest:********@db/app"
    assert secrets.display_url("postgresql://harvest:${APP_DB_PASSWORD}@db/app") == \
        "postgresql://harvest:${APP_DB_PASSWORD}@db/app"
    assert secrets.display_url("sqlite:////srv/app/base.db") == "sqlite:////srv/app/base.db"
    assert secrets.display_url("postgresql://harvest@db/app") == "postgresql://harvest@db/app"


def test_a_password_holding_an_unencoded_at_sign_is_still_the_password():
    parts = secrets.split("mysql+pymysql://u:p@ss:w/rd@db.app/app?charset=utf8mb4")
    assert (parts.user, parts.password, parts.tail) == \
        ("u", "p@ss:w/rd", "db.app/app?charset=utf8mb4")
    assert parts.kind == secrets.LITERAL


def test_the_kind_of_password_and_what_it_is_bound_to():
    token = secrets.new_token()
    parts = secrets.split(f"postgresql://h:{secrets.reference(token)}@db:5433/app")
    assert parts.kind == secrets.SECRET and parts.reference == token
    assert parts.bound == "postgresql://h@db:5433/app"
    assert secrets.split("postgresql://h:${APP_DB_PASSWORD}@db/app").kind == secrets.ENV
    assert secrets.split("postgresql://h@db/app").kind == secrets.NONE
    assert secrets.split("sqlite:////tmp/a.db") is None


def test_only_allowed_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("APP_DB_PASSWORD", "depuis-l-environnement")
    monkeypatch.setenv("CKAN___BEAKER__SESSION__SECRET", "secret-du-portail")
    assert secrets.env_password("APP_DB_PASSWORD", "*_DB_PASSWORD") == "depuis-l-environnement"
    with pytest.raises(SecretError) as error:
        secrets.env_password("CKAN___BEAKER__SESSION__SECRET", "*_DB_PASSWORD")
    assert "ckanext.internalportal.sql_harvester.password_env_vars" in str(error.value)
    monkeypatch.delenv("APP_DB_PASSWORD")
    with pytest.raises(SecretError) as error:
        secrets.env_password("APP_DB_PASSWORD", "*_DB_PASSWORD")
    assert "not set" in str(error.value)
