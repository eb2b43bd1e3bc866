"""``ckan internalportal-sharing``: the expiry sweep, for cron (searches run it too)."""
from __future__ import annotations

import click

from ckanext.internalportal.sharing import shares

# CKAN's blanket CLI registers what __all__ names (the group, not its commands)
__all__ = ["sharing"]


@click.group("internalportal-sharing", short_help="Partages entre organisations")
def sharing() -> None:
    """Partages de jeux de données entre organisations."""


@sharing.command("expire")
def expire() -> None:
    """Enregistre les partages arrivés à échéance et met l'index de recherche à jour."""
    package_ids = shares.expire_due_shares()
    click.echo(f"{len(package_ids)} jeu(x) de données mis à jour.")

