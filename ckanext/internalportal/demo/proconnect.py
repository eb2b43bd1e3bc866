"""The demo's ProConnect agents (data/proconnect_agents.yaml), for the message at the end of
`make demo`: who they are, which ministry the demo's mapping file
(data/proconnect_organisations.yaml) places them in, what to try first. Pure: reads files only."""
from __future__ import annotations

from pathlib import Path

import yaml

from ckanext.internalportal.proconnect import mapping

DATA = Path(__file__).resolve().parent / "data"
AGENTS_FILE = DATA / "proconnect_agents.yaml"
MAPPING_FILE = DATA / "proconnect_organisations.yaml"


def agents() -> list[dict]:
    return yaml.safe_load(AGENTS_FILE.read_text(encoding="utf-8")) or []


def placements() -> list[tuple[dict, str | None]]:
    """Each demo agent and the organisation the demo's mapping gives them (None: none)."""
    rules = mapping.load(MAPPING_FILE)
    out = []
    for agent in agents():
        placed = rules.place(str(agent.get("siret") or ""), agent["email"])
        out.append((agent, placed.organization if placed else None))
    return out


def accounts_lines(data) -> list[str]:
    """One line per ProConnect agent: address, then the ministry they land in."""
    titles = {o["name"]: o["title"] for o in data.organizations}
    rows = placements()
    width = max((len(a["email"]) for a, _ in rows), default=0)
    return [f"{a['email'].ljust(width)}  "
            + (titles.get(org, org) if org else
               "entreprise privée : aucun ministère, données publiques seulement")
            for a, org in rows]


def example_lines(data) -> list[str]:
    """What to try first: a ProConnect agent of the ministry that receives the first private
    share, who sees it from the first sign-in."""
    titles = {o["name"]: o["title"] for o in data.organizations}
    levels = {d["name"]: d.get("access_level") for d in data.datasets}
    agent_of = {}
    for agent, org in placements():
        if org:
            agent_of.setdefault(org, agent["email"])
    share = next((s for s in data.shares if levels.get(s["dataset"]) == "private"
                  and s["organization"] in agent_of), None)
    if not share:
        return []
    return [f"Identifié(e) avec ProConnect comme {agent_of[share['organization']]}, un agent "
            f"devient membre de : {titles[share['organization']]} dès sa première connexion "
            f"et voit aussitôt le jeu privé /dataset/{share['dataset']} partagé avec son "
            "ministère. « Se déconnecter » ferme aussi la session ProConnect."]
