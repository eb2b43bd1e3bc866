"""ProConnect sign-in over real HTTP: the real local OpenID provider (oidc_provider.py), the
fault injector in front of it (fault_proxy.py), the portal served on a port fixed for the
session (the provider knows its redirect URIs beforehand).

``proconnect`` (a test's fixture) gives a ``Flow``: the portal's URL, two ministries of the
mapping (``ministere-a``: SIREN 110000015, ``ministere-b``: SIREN 110000023), the proxy, the
provider's private keys, and ``browser()`` / ``sign_in()`` which go through the pages as a
browser does (requests, cookies, redirects followed by hand)."""
from __future__ import annotations

import contextlib
import socket
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from ckan.tests import factories

from ckanext.internalportal.proconnect import client
from tests.live import serving
from tests.proconnect.fault_proxy import FaultProxy
from tests.proconnect.oidc_provider import start_provider

CLIENT_ID = "portail-tests"
PASSWORD = "mot-de-passe-de-test"
OPT = "ckanext.internalportal.proconnect."

# the provider's accounts: login -> claims
AGENTS = {
    "camille.durand@b.gouv.fr": {"email": "camille.durand@b.gouv.fr", "given_name": "Camille",
                                 "usual_name": "Durand", "siret": "11000002300017",
                                 "uid": "b-1"},
    "alex.martin@a.gouv.fr": {"email": "alex.martin@a.gouv.fr", "given_name": "Alex",
                              "usual_name": "Martin", "siret": "11000001500013", "uid": "a-1"},
    "lou.garnier@entreprise.fr": {"email": "lou.garnier@entreprise.fr", "given_name": "Lou",
                                  "usual_name": "Garnier", "siret": "55200000000015",
                                  "uid": "x-1"},
    # a provider that does not share the address
    "sans.adresse": {"given_name": "Sans", "usual_name": "Adresse", "siret": "11000002300017",
                     "uid": "b-2"},
}
MAPPING = """
- organization: ministere-a
  siren: ["110000015"]
- organization: ministere-b
  siren: ["110000023"]
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    port: int
    provider: object
    proxy: FaultProxy
    secret: str
    mapping_file: str

    @property
    def portal(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_stack(workdir, accounts: dict, mapping_file: str) -> Stack:
    """The provider (``accounts``: login -> claims, all with PASSWORD) for a portal to be
    served on a free port chosen now, and the fault injector in front of it."""
    port = _free_port()
    secret = secrets.token_urlsafe(24)
    provider = start_provider(
        clients=[{"client_id": CLIENT_ID, "client_secret": secret,
                  "redirect_uris": [f"http://127.0.0.1:{port}/proconnect/callback"],
                  "post_logout_redirect_uris": [f"http://127.0.0.1:{port}/proconnect/logged-out"]}],
        accounts=[{"login": login, "password": PASSWORD, "claims": claims}
                  for login, claims in accounts.items()],
        workdir=workdir)
    return Stack(port, provider, FaultProxy(provider.url), secret, str(mapping_file))


def stop_stack(stack: Stack) -> None:
    stack.proxy.stop()
    stack.provider.stop()


@pytest.fixture(scope="session")
def proconnect_stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("proconnect")
    mapping_file = workdir / "rattachement.yaml"
    mapping_file.write_text(MAPPING, encoding="utf-8")
    stack = start_stack(workdir, AGENTS, str(mapping_file))
    try:
        yield stack
    finally:
        stop_stack(stack)


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "inputs": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["inputs"][a["name"]] = a.get("value") or ""


def forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Flow:
    stack: Stack
    orgs: dict
    portal: str
    proxy: FaultProxy
    visited: list = field(default_factory=list)

    def browser(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        return session

    def follow(self, browser, response, stop=None, limit=15):
        """Redirects followed by hand (each address kept in ``visited``) until a page
        answers, or until the next address starts with ``stop`` (returned, not fetched)."""
        for _ in range(limit):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = urljoin(response.url, response.headers["Location"])
            self.visited.append(location)
            if stop and location.startswith(stop):
                return location
            response = browser.get(location, allow_redirects=False, timeout=30)
        raise AssertionError("trop de redirections")

    def to_provider(self, browser, came_from=None):
        """From « S'identifier avec ProConnect » to the provider's login form."""
        params = {"came_from": came_from} if came_from else {}
        start = browser.get(f"{self.portal}/proconnect/login", params=params,
                            allow_redirects=False, timeout=30)
        return start, (self.follow(browser, start) if start.status_code == 302 else start)

    def sign_in(self, browser, login, came_from=None, stop_at_callback=False):
        """The whole sign-in; returns the portal's answer to the callback (not followed), or
        the callback's URL when ``stop_at_callback``."""
        start, page = self.to_provider(browser, came_from)
        assert page.status_code == 200 and 'name="password"' in page.text, page.text[:500]
        form = forms(page.text)[0]
        answer = browser.post(urljoin(page.url, form["action"]),
                              data={"login": login, "password": PASSWORD},
                              allow_redirects=False, timeout=30)
        callback = self.follow(browser, answer, stop=f"{self.portal}/proconnect/callback")
        assert isinstance(callback, str), callback.text[:500]
        if stop_at_callback:
            return callback
        return browser.get(callback, allow_redirects=False, timeout=60)


@contextlib.contextmanager
def configured(app, stack: Stack, monkeypatch, orgs: dict):
    """The portal with ProConnect configured against ``stack``, served on its port."""
    import ckan.plugins.toolkit as tk
    stack.proxy.reset()
    client.reset()
    for key, value in {
            "ckan.site_url": stack.portal,
            OPT + "discovery_url": stack.proxy.discovery_url,
            OPT + "client_id": CLIENT_ID,
            OPT + "client_secret": stack.secret,
            OPT + "mapping_file": stack.mapping_file,
            OPT + "timeout": "2",
            "ckanext.internalportal.theme.contact_email": "donnees@portail.example.gouv.fr"}.items():
        monkeypatch.setitem(tk.config, key, value)
    try:
        with serving(app, stack.port) as url:
            yield Flow(stack=stack, orgs=orgs, portal=url, proxy=stack.proxy)
    finally:
        client.reset()


@pytest.fixture
def proconnect(app, proconnect_stack, monkeypatch, clean_db):
    """The portal with ProConnect configured against the local provider (through the fault
    injector), two ministries of the mapping, served on the session's port."""
    orgs = {name: factories.Organization(name=name, title=title) for name, title in
            (("ministere-a", "Ministère A"), ("ministere-b", "Ministère B"))}
    with configured(app, proconnect_stack, monkeypatch, orgs) as flow:
        yield flow


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
