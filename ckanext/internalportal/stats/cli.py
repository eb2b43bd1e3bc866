"""``ckan internalportal stats …``: the rollup (for cron, docker/cron/internalportal-stats) and
the demo's history.

The commands join the base plugin's ``ckan internalportal`` group when it is loaded; alone,
the plugin brings a group of the same name of its own (``get_commands``)."""
from __future__ import annotations

import sys
import time

import click

from ckanext.internalportal.stats import demo as demo_history, store


@click.group("stats", short_help="Statistiques d'usage : agrégation, historique de démonstration.")
def stats() -> None:
    """Statistiques d'usage des jeux de données."""


@stats.command("flush")
@click.option("--retention-days", type=click.IntRange(min=1), default=None,
              help="Jours de données horaires conservés (par défaut : "
                   "ckanext.internalportal.stats.hourly_retention_days).")
@click.option("--pause-at", type=click.Choice(["renamed", "before-commit", "committed"]),
              default=None, hidden=True,
              help="Pour les tests : s'arrêter à cette étape (annonce « pause <étape> » puis "
                   "attend d'être tué).")
def flush(retention_days: int | None, pause_at: str | None) -> None:
    """Agrège les compteurs de Redis dans PostgreSQL (sans perte ni double compte, même
    interrompu), puis purge les heures plus anciennes que la rétention."""

    def pause(step: str) -> None:
        if step == pause_at:
            click.echo(f"pause {step}")
            sys.stdout.flush()
            while True:  # the test kills the process here
                time.sleep(1)

    started = time.monotonic()
    report = store.flush(retention_days, pause=pause)
    click.secho(f"Statistiques agrégées en {time.monotonic() - started:.1f} s : {report}",
                fg="green")


@stats.command("demo")
@click.option("--days", type=click.IntRange(min=1, max=3 * 366), default=180,
              help="Jours d'historique (par défaut 180, jusqu'à hier).")
@click.option("--seed", type=int, default=2026, help="Graine du tirage (même graine, mêmes "
                                                     "chiffres).")
def demo(days: int, seed: int) -> None:
    """Génère un historique d'usage de démonstration pour les jeux du portail (par le même
    chemin que les vraies visites : compteurs Redis puis agrégation). Relancé, il remplace
    l'historique passé sans le doubler ; les visites du jour sont conservées."""
    started = time.monotonic()
    report = demo_history.generate(days=days, seed=seed, progress=click.echo)
    click.secho(f"Historique d'usage généré en {time.monotonic() - started:.1f} s : {report}",
                fg="green")


def standalone_group() -> click.Group:
    """``ckan internalportal`` with only ``stats``, when the base plugin is not loaded."""

    @click.group("internalportal", short_help="Portail interne : statistiques d'usage.")
    def internalportal() -> None:
        """Commandes du portail interne des données."""

    internalportal.add_command(stats)
    return internalportal

