"""Write ckan.ini, the dev portal's configuration (git-ignored).

Generated once with fresh secrets by `ckan generate config`, then brought to the portal's
settings on every run with CKAN's own config tool (in one process: each `ckan` call costs
seconds): the portal's settings come from their one source, ckanext/internalportal/settings.py;
what is only the dev portal's (services, secrets, storage, previews) is written here.
Ports follow the same environment variables as scripts/services.sh.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from ckan.lib.config_tool import config_edit_using_option_strings

from ckanext.internalportal import settings

ROOT = Path(__file__).resolve().parent.parent
INI = ROOT / "ckan.ini"
# the demo's shares (demo/harvest.py copies its shared folder there): the only folder a files
# harvest source of the dev portal may name
PARTAGES = ROOT / ".state" / "partages"
env = os.environ.get


def kept_secret(path: Path) -> str:
    """A secret drawn once and kept in ``path`` (readable by its owner only), like the admin
    password of scripts/demo.sh."""
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


OPTIONS = {
    "app:main": {
        "sqlalchemy.url": f"postgresql://ckan_default:pass@127.0.0.1:{env('IP_PG_PORT', '5433')}/ckan",
        "solr_url": f"http://127.0.0.1:{env('IP_SOLR_PORT', '8983')}/solr/ckan",
        "ckan.redis.url": f"redis://127.0.0.1:{env('IP_REDIS_PORT', '6380')}/0",
        # CKAN's DataStore (scripts/services.sh: its database, read-only user, permissions)
        "ckan.datastore.write_url":
            f"postgresql://ckan_default:pass@127.0.0.1:{env('IP_PG_PORT', '5433')}/datastore",
        "ckan.datastore.read_url":
            f"postgresql://datastore_default:pass@127.0.0.1:{env('IP_PG_PORT', '5433')}/datastore",
        "ckan.site_url": f"http://127.0.0.1:{env('IP_CKAN_PORT', '5000')}",
        "ckan.site_id": "internalportal",
        # the portal's settings (one source), with the resource previews of the demo files
        **settings.portal_settings(f"{settings.PORTAL_PLUGINS} {settings.OPTIONAL_PLUGINS}"),
        "ckan.storage_path": str(ROOT / ".state" / "storage"),
        "ckan.max_resource_size": "100",
        "ckan.views.default_views": "text_view image_view",
        "ckan.auth.create_user_via_web": "false",
        "ckan.activity_streams_email_notifications": "false",
        # e-mails (access requests…) go to the local sink of scripts/services.sh: one .eml file
        # per message under .state/mail/, nothing leaves the machine
        "smtp.server": f"127.0.0.1:{env('IP_SMTP_PORT', '1025')}",
        "smtp.starttls": "false",
        "smtp.mail_from": "portail-interne@demo.internalportal.localhost",
        # harvesters: the demo's shared folder (the key hashing personal columns is a
        # secret, added by main())
        "ckanext.internalportal.files_harvester.allowed_roots": str(PARTAGES),
        # the DSFR header and footer: who runs the demo portal, and the address of its
        # accessibility and personal data pages
        "ckanext.internalportal.theme.ministry":
            "Démonstration interministérielle — Direction du numérique",
        "ckanext.internalportal.theme.contact_email":
            "donnees@demo.internalportal.localhost",
        # usage statistics: rolled up every minute by the demo's jobs worker, so that a
        # visit shows in the « Statistiques » tab a minute later
        "ckanext.internalportal.stats.flush_interval": "1",
        # « S'identifier avec ProConnect »: the local provider of scripts/services.sh
        # (scripts/oidc/), its demo client, the demo's mapping of SIRET to ministries; the
        # client's secret comes from the environment (scripts/demo.sh exports it)
        "ckanext.internalportal.proconnect.discovery_url":
            f"http://127.0.0.1:{env('IP_OIDC_PORT', '9090')}/.well-known/openid-configuration",
        "ckanext.internalportal.proconnect.client_id": "internalportal-demo",
        "ckanext.internalportal.proconnect.mapping_file":
            str(ROOT / "ckanext" / "internalportal" / "demo" / "data"
                / "proconnect_organisations.yaml"),
    },
    "DEFAULT": {"debug": "false"},
    # the portal's own progress lines are enough: CKAN's debug log is not for a demo
    "logger_ckan": {"level": "WARNING"},
    "logger_ckanext": {"level": "WARNING"},
}


def main() -> None:
    if not INI.exists():
        print("==> Génération de ckan.ini")
        subprocess.run([str(ROOT / ".venv" / "bin" / "ckan"), "generate", "config", str(INI)],
                       check=True, stdout=subprocess.DEVNULL)
    (ROOT / ".state" / "storage").mkdir(parents=True, exist_ok=True)
    PARTAGES.mkdir(parents=True, exist_ok=True)
    secret = {"ckanext.internalportal.harvest.hmac_key": kept_secret(
        ROOT / ".state" / "harvest-hmac-key")}
    for section, options in {**OPTIONS, "app:main": {**OPTIONS["app:main"], **secret}}.items():
        config_edit_using_option_strings(
            str(INI), [f"{k}={v}" for k, v in options.items()], section, edit=False)


if __name__ == "__main__":
    sys.exit(main())
