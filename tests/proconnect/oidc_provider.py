"""A real local OpenID Connect provider configured like ProConnect, for the tests.

It runs scripts/oidc/provider.mjs (the certified npm package oidc-provider, installed by
`make assets`) as a child process on a free port of 127.0.0.1; nothing is mocked::

    provider = start_provider(clients=[...], accounts=[...], workdir=tmp_path)
    try:
        requests.get(provider.url + "/.well-known/openid-configuration")
    finally:
        provider.stop()

``clients`` and ``accounts`` follow the provider's config format (scripts/oidc/README.md).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_JS = ROOT / "scripts" / "oidc" / "provider.mjs"
START_TIMEOUT = 15.0


def generate_jwks() -> dict:
    """A JWK set of one RSA 2048 private key (RS256, use sig, with a kid)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True,
                              auto_kid=True)
    return {"keys": [key.as_dict(private=True)]}


@dataclass
class Provider:
    url: str  # the issuer, http://127.0.0.1:<port>
    private_jwks: dict  # the JWK set (with private parts) the provider signs with
    process: subprocess.Popen
    log_path: Path | None = None

    def log(self) -> str:
        """What the provider wrote (one line per request, errors)."""
        if self.log_path and self.log_path.is_file():
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _tail(path: Path, lines: int = 30) -> str:
    if not path.is_file():
        return "(pas de journal)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start_provider(*, clients: list[dict], accounts: list[dict], jwks: dict | None = None,
                   ttl: dict | None = None, workdir: Path) -> Provider:
    """Start the provider with these clients and accounts; return once its discovery answers."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node introuvable : le fournisseur OIDC local tourne sous Node.js.")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("node_modules/oidc-provider manque : lancez 'make assets'.")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    jwks = jwks or generate_jwks()
    tag = uuid.uuid4().hex[:8]
    port_file = workdir / f"oidc-{tag}.port"
    config_file = workdir / f"oidc-{tag}.json"
    log_path = workdir / f"oidc-{tag}.log"
    config = {
        "host": "127.0.0.1",
        "port": 0,
        "port_file": str(port_file),
        "issuer": None,
        "jwks": jwks,
        "ttl": ttl or {},
        "clients": clients,
        "accounts": accounts,
    }
    config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")
    env = {**os.environ}
    env.pop("NODE_ENV", None)  # not "production": plain http on 127.0.0.1
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(PROVIDER_JS), "--config", str(config_file)],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"le fournisseur OIDC local s'est arrêté au démarrage (code {process.returncode}) :\n"
                    + _tail(log_path))
            if url is None and port_file.is_file():
                text = port_file.read_text(encoding="utf-8").strip()
                if text:
                    url = f"http://127.0.0.1:{int(text)}"
            if url is not None:
                try:
                    r = requests.get(url + "/.well-known/openid-configuration", timeout=2)
                    if r.ok:
                        return Provider(url=r.json()["issuer"], private_jwks=jwks,
                                        process=process, log_path=log_path)
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        raise RuntimeError(
            f"le fournisseur OIDC local ne répond pas après {START_TIMEOUT:.0f} s :\n" + _tail(log_path))
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        raise
