"""Write the configuration of the demo's local ProConnect (scripts/oidc/provider.mjs).

    .venv/bin/python scripts/oidc_config.py OUT.json

The agents of ckanext/internalportal/demo/data/proconnect_agents.yaml, all with the one password
of .state/proconnect-password; one client, internalportal-demo, whose secret is kept in
.state/proconnect-client-secret; the provider's RSA signing key kept in .state/oidc/jwks.json
(so that its tokens still verify after a restart). Each secret is drawn once, readable by its
owner only. Ports follow the environment variables of scripts/services.sh (IP_OIDC_PORT,
IP_CKAN_PORT).
"""
from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state"
AGENTS = ROOT / "ckanext" / "internalportal" / "demo" / "data" / "proconnect_agents.yaml"
CLIENT_ID = "internalportal-demo"
CLAIMS = ("email", "given_name", "usual_name", "siret", "uid")
env = os.environ.get


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def kept_secret(path: Path, nbytes: int) -> str:
    """A secret drawn once and kept in ``path`` (readable by its owner only)."""
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        write_private(path, secrets.token_urlsafe(nbytes) + "\n")
    return path.read_text(encoding="utf-8").strip()


def kept_jwks(path: Path) -> dict:
    """The provider's private JWK set (one RSA 2048 key, RS256), drawn once."""
    if path.is_file():
        try:
            jwks = json.loads(path.read_text(encoding="utf-8"))
            if jwks.get("keys") and all("d" in k for k in jwks["keys"]):
                return jwks
        except ValueError:
            pass
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True,
                              auto_kid=True)
    jwks = {"keys": [key.as_dict(private=True)]}
    write_private(path, json.dumps(jwks, indent=2) + "\n")
    return jwks


def config() -> dict:
    ckan = f"http://127.0.0.1:{env('IP_CKAN_PORT', '5000')}"
    password = kept_secret(STATE / "proconnect-password", 12)
    agents = yaml.safe_load(AGENTS.read_text(encoding="utf-8")) or []
    accounts = []
    for agent in agents:
        claims = {k: str(agent[k]) for k in CLAIMS if agent.get(k) not in (None, "")}
        for k in ("sub", "siren", "idp_id", "organizational_unit", "belonging_population", "phone"):
            if agent.get(k) not in (None, ""):
                claims[k] = str(agent[k])
        accounts.append({"login": agent["email"], "password": password, "claims": claims})
    return {
        "host": "127.0.0.1",
        "port": int(env("IP_OIDC_PORT", "9090")),
        "port_file": str(STATE / "oidc" / "oidc.port"),
        "issuer": None,
        "jwks": kept_jwks(STATE / "oidc" / "jwks.json"),
        "ttl": {},
        "clients": [{
            "client_id": CLIENT_ID,
            "client_name": "Portail interne des données (démonstration)",
            "client_secret": kept_secret(STATE / "proconnect-client-secret", 32),
            "redirect_uris": [f"{ckan}/proconnect/callback"],
            "post_logout_redirect_uris": [f"{ckan}/proconnect/logged-out"],
        }],
        "accounts": accounts,
    }


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/oidc_config.py OUT.json")
    # it holds the password and the client secret: readable by its owner only
    write_private(Path(sys.argv[1]), json.dumps(config(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
