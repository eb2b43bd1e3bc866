"""``ckan internalportal-harvest``: the harvesters' upkeep, for cron (each harvest of a source
also prunes that source's history)."""
from __future__ import annotations

import click


@click.group("internalportal-harvest", short_help="Moissonnage : entretien de l'historique")
def harvest() -> None:
    """Moissonneurs de la suite (SQL, fichiers, udata)."""


@harvest.command("prune")
@click.option("--days", type=int, default=None,
              help="Durée de conservation en jours (par défaut : "
                   "ckanext.internalportal.harvest.history_days).")
def prune(days: int | None) -> None:
    """Supprime les travaux de moissonnage terminés plus anciens que la durée de conservation
    (le dernier travail de chaque source est toujours gardé)."""
    from ckanext.internalportal.harvesters.base import prune_history
    count = prune_history(days=days)
    click.echo(f"{count} travail(aux) de moissonnage supprimé(s).")
