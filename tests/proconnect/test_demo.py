"""The demo's ProConnect: its agents (demo/data/proconnect_agents.yaml) signed in through the
real local provider, on the loaded demo, land in their ministry (demo mapping file) and see at
once what is shared with it; the private company's employee sees public data only."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ckan import model

from ckanext.internalportal import settings
from ckanext.internalportal.demo import loader, proconnect as demo
from ckanext.internalportal.lib.context import site_context
from tests.proconnect.conftest import configured, start_stack, stop_stack

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

DATA = Path(loader.__file__).resolve().parent / "data"
CLAIMS = ("email", "given_name", "usual_name", "siret", "uid")


def demo_agents() -> dict:
    agents = yaml.safe_load((DATA / "proconnect_agents.yaml").read_text(encoding="utf-8"))
    return {a["email"]: {k: str(a[k]) for k in CLAIMS} for a in agents}


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("proconnect-demo"), demo_agents(),
                        str(DATA / "proconnect_organisations.yaml"))
    try:
        yield stack
    finally:
        stop_stack(stack)


def test_a_demo_agent_of_ministry_b_lands_in_b_and_sees_b_s_shares_at_once(
        app, demo_stack, monkeypatch):
    monkeypatch.setenv(loader.AGENT_PASSWORD_ENV, "demo-agents-2026")
    shipped = loader.read_demo_data()
    loader.load(shipped, site_context)
    loader.reindex(shipped)
    levels = {d["name"]: d for d in shipped.datasets}
    share = next(s for s in shipped.shares if levels[s["dataset"]]["access_level"] == "private")
    b = share["organization"]
    agent = next(a["email"] for a, org in demo.placements() if org == b)
    assert agent in " ".join(demo.example_lines(shipped))  # what `make demo` says to try
    with configured(app, demo_stack, monkeypatch, {}) as flow:
        browser = flow.browser()
        answer = flow.sign_in(browser, agent)
        assert answer.status_code == 302
        user = model.User.by_email(agent)
        assert {g.name for g in user.get_groups("organization")} == {b}
        assert browser.get(f"{flow.portal}/dataset/{share['dataset']}",
                           timeout=30).status_code == 200
        assert share["dataset"] in browser.get(f"{flow.portal}/partages", timeout=30).text

        outsider = flow.browser()
        flow.sign_in(outsider, "lou.garnier@entreprise-exemple.fr")
        assert outsider.get(f"{flow.portal}/dataset/{share['dataset']}",
                            timeout=30).status_code == 404


def test_the_demo_prints_each_proconnect_agent_and_their_ministry():
    shipped = loader.read_demo_data()
    lines = demo.accounts_lines(shipped)
    titles = {o["name"]: o["title"] for o in shipped.organizations}
    assert len(lines) == len(demo.agents())
    placed = dict((a["email"], org) for a, org in demo.placements())
    # one agent or more per demo ministry, and the private company's employee
    assert set(titles) == {org for org in placed.values() if org}
    assert placed["lou.garnier@entreprise-exemple.fr"] is None
    for line in lines:
        email = line.split()[0]
        assert (titles[placed[email]] if placed[email] else "aucun ministère") in line
