"""The browser test harness: the portal served for the tests, Debian's Chromium driven headless
by Playwright's client, axe-core (from npm) run in each page, screenshots saved.

- ``Browser``: one Chromium for the whole run (``/usr/bin/chromium``, never a downloaded
  browser), a fresh context per page (colour scheme, language, the signed-in agent's cookies);
- ``Visit``: one page opened by a visitor: its HTML, its requests (those that left the portal
  are ``outside``), its console errors, ``audit()`` (axe-core's violations), ``screenshot()``;
- ``PAGES``: the pages every browser test walks, one line each: a later issue adds its page
  here (``Page("statistiques", lambda w: f"/dataset/{w.public['name']}/statistiques")``) and the
  accessibility, language and no-outside-request tests cover it for each visitor.

Artifacts (not committed): ``.state/browser/<test>.png`` and ``.state/browser/axe.json``, the
violations' counts per page, visitor and impact (the closing note of issue 10 quotes them).
"""
from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("IP_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / ".state" / "browser"

# as root without a sandbox, and nothing that reaches the network by itself (the machine's
# network is closed: Chromium's own background connections would be refused, many at a time)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]

# what RGAA 4.1 checks, in axe-core's tags: WCAG 2.1 A and AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PASSWORD = "correct123"   # CKAN's factories.User password


@dataclass(frozen=True)
class Page:
    """A page of the portal for the browser tests: ``path(world)`` gives its path; ``who``
    the visitors that open it (``anonymous``; ``editor`` and ``admin`` of the producing
    ministry; ``outsider``, editor of the ministry the restricted dataset is shared with;
    ``stranger``, agent of a third ministry; ``sysadmin``); ``status`` the HTTP status it answers with."""

    name: str
    path: Callable[[Any], str]
    who: tuple[str, ...] = ("anonymous", "editor")
    status: int = 200


# The pages of the portal every browser test walks. One line per page.
PAGES: list[Page] = [
    Page("accueil", lambda w: "/"),
    Page("recherche", lambda w: "/dataset/?q=accidents"),
    Page("recherche-facettes", lambda w: f"/dataset/?organization={w.org['name']}&tags=accidents"),
    Page("jeu-public", lambda w: f"/dataset/{w.public['name']}"),
    Page("jeu-restreint", lambda w: f"/dataset/{w.restricted['name']}", who=("editor", "outsider")),
    Page("ressource", lambda w: f"/dataset/{w.public['name']}/resource/{w.public['resources'][0]['id']}"),
    Page("organisations", lambda w: "/organization/"),
    Page("organisation", lambda w: f"/organization/{w.org['name']}"),
    Page("connexion", lambda w: "/user/login", who=("anonymous",)),
    Page("partage", lambda w: f"/dataset/{w.restricted['name']}/partage", who=("admin",)),
    Page("demande-acces", lambda w: f"/dataset/{w.restricted['name']}/demande-acces", who=("stranger",)),
    Page("partages-avec-moi", lambda w: "/partages", who=("outsider",)),
    Page("moissonnage", lambda w: "/harvest/", who=("anonymous", "sysadmin")),
    Page("source", lambda w: f"/harvest/{w.source['name']}", who=("anonymous", "sysadmin")),
    Page("source-admin", lambda w: f"/harvest/admin/{w.source['name']}", who=("sysadmin",)),
    Page("job", lambda w: f"/harvest/{w.source['name']}/job/{w.job['id']}", who=("sysadmin",)),
    Page("formulaire-jeu", lambda w: "/dataset/new", who=("editor",)),
    Page("formulaire-edition", lambda w: f"/dataset/edit/{w.public['name']}", who=("editor",)),
    Page("formulaire-ressource", lambda w: f"/dataset/{w.public['name']}/resource/new", who=("editor",)),
    Page("formulaire-source", lambda w: "/harvest/new", who=("sysadmin",)),
    Page("404", lambda w: "/dataset/ce-jeu-n-existe-pas", status=404),
    Page("403", lambda w: f"/dataset/edit/{w.public['name']}", who=("outsider",), status=403),
    Page("accessibilite", lambda w: "/accessibilite", who=("anonymous",)),
    Page("mentions-legales", lambda w: "/mentions-legales", who=("anonymous",)),
    Page("donnees-personnelles", lambda w: "/donnees-personnelles", who=("anonymous",)),
    Page("plan-du-site", lambda w: "/plan-du-site", who=("anonymous",)),
    Page("statistiques-jeu", lambda w: f"/dataset/{w.public['name']}/statistiques", who=("anonymous", "admin", "stranger")),
    Page("statistiques-periode-refusee", lambda w: f"/dataset/{w.public['name']}/statistiques?start=abc&end=2026-01-01", who=("admin",), status=400),
    Page("statistiques-organisation", lambda w: f"/organization/{w.org['name']}/statistiques", who=("editor", "admin")),
    Page("statistiques-portail", lambda w: "/ckan-admin/statistiques", who=("sysadmin",)),
    Page("connexion-proconnect-refusee", lambda w: "/proconnect/callback?code=x&state=inconnu", who=("anonymous",), status=400),
    Page("comptes-a-rattacher", lambda w: "/ckan-admin/proconnect", who=("sysadmin",)),
]


def visits() -> list[tuple[Page, str]]:
    """(page, visitor) for every page and each of its visitors: the tests' parameters."""
    return [(page, who) for page in PAGES for who in page.who]


def visit_id(value: Any) -> str:
    if isinstance(value, Page):
        return value.name
    return str(value)


class Visit:
    """One page opened in a fresh browser context."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.broken: list[str] = []
        self.response: Any = None
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.broken.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
        # a failed file is in ``broken``; the console's line about it is not a script error
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text else None)

    def goto(self, path: str) -> "Visit":
        self.response = self.page.goto(self.base_url + path, wait_until="load")
        return self

    @property
    def status(self) -> int:
        return self.response.status if self.response else 0

    @property
    def outside(self) -> list[str]:
        """The requests that left the portal (another host, or another port)."""
        portal = urlsplit(self.base_url).netloc
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:", "about:"))
                and urlsplit(url).netloc != portal]

    def html(self) -> str:
        return self.page.content()

    def audit(self) -> dict[str, Any]:
        """axe-core's run on the page (WCAG 2.1 A and AA): its violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        return self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})", AXE_TAGS)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{_safe(name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def blocking(violations: list[dict]) -> list[str]:
    """The serious and critical violations, one line each: rule, impact, first elements."""
    return [f"{v['impact']} {v['id']}: {v['help']} — "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in violations if v["impact"] in BLOCKING]


class Browser:
    """Debian's Chromium, headless, driven by Playwright's client (its driver only: no browser
    of its own is ever downloaded)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} introuvable : le paquet Debian chromium manque "
                               "(make test l'installe)")
        self._playwright = sync_playwright().start()
        self.chromium = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        self._sessions: dict[str, Any] = {}

    def close(self) -> None:
        self.chromium.close()
        self._playwright.stop()

    def context(self, *, scheme: str = "light", storage: Optional[dict] = None,
                viewport: Optional[dict] = None) -> Any:
        return self.chromium.new_context(
            viewport=viewport or {"width": 1280, "height": 900}, color_scheme=scheme,
            locale="fr-FR", storage_state=storage)

    def session(self, base_url: str, user: Optional[dict]) -> Optional[dict]:
        """The cookies of ``user`` signed in through the sign-in page (kept for the run), or
        None for an anonymous visitor."""
        if user is None:
            return None
        if user["name"] not in self._sessions:
            context = self.context()
            page = context.new_page()
            page.goto(base_url + "/user/login", wait_until="domcontentloaded")
            page.fill("#field-login", user["name"])
            page.fill("#field-password", PASSWORD)
            with page.expect_navigation():
                page.press("#field-password", "Enter")
            page.wait_for_load_state("networkidle")
            assert page.locator("form.internalportal-logout").count(), \
                f"{user['name']} could not sign in"
            self._sessions[user["name"]] = context.storage_state()
            context.close()
        return self._sessions[user["name"]]

    def open(self, base_url: str, path: str, user: Optional[dict] = None, *,
             scheme: str = "light", viewport: Optional[dict] = None) -> Visit:
        context = self.context(scheme=scheme, storage=self.session(base_url, user),
                               viewport=viewport)
        visit = Visit(context.new_page(), base_url)
        visit.context = context
        return visit.goto(path)


class AxeLog:
    """The violations' counts per page, visitor and impact, written to ``axe.json``."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, violations: list[dict]) -> None:
        counts = {impact: 0 for impact in ("critical", "serious", "moderate", "minor")}
        for v in violations:
            counts[v["impact"] or "minor"] += len(v["nodes"])
        with self._lock:
            self.counts[key] = counts

    def write(self) -> Optional[Path]:
        if not self.counts:
            return None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "axe.json"
        previous = json.loads(path.read_text()) if path.exists() else {}
        previous.update(self.counts)
        path.write_text(json.dumps(dict(sorted(previous.items())), indent=1,
                                   ensure_ascii=False))
        return path


@dataclass
class World:
    """What the browser tests' portal holds: a producing ministry (``org``) with an editor and
    an admin, another ministry (``outsider``'s) the restricted dataset is shared with, a third
    ministry's agent (``stranger``), a sysadmin, a public dataset with resources, a restricted
    one, a harvest source and its job."""

    org: dict
    other_org: dict
    editor: dict
    admin: dict
    outsider: dict
    stranger: dict
    sysadmin: dict
    public: dict
    restricted: dict
    source: dict
    job: dict
    users: dict = field(default_factory=dict)

    def user(self, who: str) -> Optional[dict]:
        return None if who == "anonymous" else getattr(self, who)
