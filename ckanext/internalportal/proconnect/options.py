"""The plugin's settings, read in one place (declared in config_declaration.yaml)."""
from __future__ import annotations

import os
from dataclasses import dataclass

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.internalportal.proconnect."
# ckanext-envvars' name for the option: the Docker stack sets it from its .env
SECRET_ENV = "CKANEXT__INTERNALPORTAL__PROCONNECT__CLIENT_SECRET"


@dataclass(frozen=True)
class Options:
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str
    mapping_file: str
    leave_previous_organization: bool
    local_login: str
    timeout: int

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.discovery_url)


def read() -> Options:
    get = tk.config.get
    return Options(
        discovery_url=(get(PREFIX + "discovery_url") or "").strip(),
        client_id=(get(PREFIX + "client_id") or "").strip(),
        client_secret=(get(PREFIX + "client_secret") or os.environ.get(SECRET_ENV, "")).strip(),
        scopes=" ".join((get(PREFIX + "scopes") or "openid email").split()),
        acr_values=(get(PREFIX + "acr_values") or "").strip(),
        mapping_file=(get(PREFIX + "mapping_file") or "").strip(),
        leave_previous_organization=tk.asbool(get(PREFIX + "leave_previous_organization")),
        local_login=(get(PREFIX + "local_login") or "all").strip(),
        timeout=max(1, int(get(PREFIX + "timeout") or 10)),
    )
