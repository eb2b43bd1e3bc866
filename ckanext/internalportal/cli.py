"""`ckan internalportal …` commands."""
from __future__ import annotations

import os
import secrets
import time

import click

import ckan.plugins.toolkit as tk

from .demo import loader
from .lib.context import site_context


__all__ = ["internalportal"]


@click.group(short_help="Portail interne : données de démonstration et administration.")
def internalportal():
    """Commandes du portail interne des données."""


@internalportal.group()
def demo():
    """Données de démonstration (ministères, jeux de données, fichiers)."""


@demo.command("load")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False),
              help="Dossier des données (par défaut : celles livrées avec le paquet).")
@click.option("--admin", "admin_name", default=None,
              help="Crée aussi cet administrateur système (mot de passe : "
                   "INTERNALPORTAL_ADMIN_PASSWORD).")
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que le bilan.")
def demo_load(data_dir: str | None, admin_name: str | None, quiet: bool):
    """Crée ou met à jour les ministères et jeux de démonstration (sans doublon), puis
    réindexe les jeux chargés."""
    data_dir = data_dir or tk.config.get("ckanext.internalportal.demo.data_dir") or None
    try:
        data = loader.read_demo_data(data_dir)
    except loader.DemoDataError as e:
        raise click.ClickException(str(e))
    if admin_name:
        _ensure_sysadmin(admin_name, None, os.environ.get("INTERNALPORTAL_ADMIN_PASSWORD"))
    click.echo(f"Chargement de {len(data.organizations)} organisations et "
               f"{len(data.datasets)} jeux de données…")
    started = time.monotonic()
    try:
        report = loader.load(data, site_context,
                             progress=(lambda m: None) if quiet else click.echo)
    except tk.ValidationError as e:
        raise click.ClickException(f"Donnée refusée par CKAN : {e.error_summary}")
    except loader.DemoDataError as e:
        raise click.ClickException(str(e))
    indexed = loader.reindex(data)
    click.secho(f"Démonstration chargée en {time.monotonic() - started:.1f} s : {report} ; "
                f"{indexed} jeu(x) réindexé(s)", fg="green")


@demo.command("admin")
@click.argument("name")
@click.option("--email", default=None, help="Adresse (par défaut NAME@example.gouv.fr).")
@click.option("--password", envvar="INTERNALPORTAL_ADMIN_PASSWORD", default=None,
              help="Mot de passe (sinon tiré au hasard et affiché).")
def demo_admin(name: str, email: str | None, password: str | None):
    """Crée (ou remet à jour) l'administrateur système NAME, sans jamais le dupliquer."""
    _ensure_sysadmin(name, email, password)


def _ensure_sysadmin(name: str, email: str | None, password: str | None) -> None:
    context = site_context()
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    email = email or f"{name}@example.gouv.fr"
    try:
        try:
            user = tk.get_action("user_show")(context, {"id": name})
            tk.get_action("user_patch")(context, {"id": user["id"], "password": password,
                                                  "email": email, "state": "active"})
        except tk.ObjectNotFound:
            user = tk.get_action("user_create")(context, {
                "name": name, "email": email, "password": password,
                "fullname": "Administrateur du portail"})
    except tk.ValidationError as e:
        raise click.ClickException(f"Compte refusé : {e.error_summary}")
    from ckan import model
    obj = model.User.get(user["id"])
    obj.sysadmin = True
    model.repo.commit()
    click.echo(f"Administrateur système prêt : {name}"
               + (f" (mot de passe : {password})" if generated else ""))


@internalportal.group()
def dcat():
    """Catalogue RDF (/catalog.ttl…) : cache des jeux de données publics."""


@dcat.command("warm-cache")
@click.option("-f", "--format", "formats", multiple=True, default=("ttl",), show_default=True,
              type=click.Choice(["ttl", "rdf", "jsonld", "n3", "xml"]),
              help="Format(s) du catalogue à préparer (répétable).")
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que le bilan.")
@click.pass_context
def dcat_warm_cache(ctx: click.Context, formats: tuple[str, ...], quiet: bool):
    """Prépare dans Redis le RDF de chaque jeu public du catalogue, tel qu'un moissonneur
    anonyme le lira (idempotent : les jeux déjà en cache ne sont pas recalculés)."""
    from ckan.plugins import plugin_loaded
    if not plugin_loaded("dcat"):
        raise click.ClickException("le plugin dcat n'est pas chargé (ckan.plugins) : "
                                   "pas de catalogue RDF à préparer")
    from .dcat import warm
    flask_app = ctx.meta.get("flask_app") or tk.current_app._get_current_object()
    started = time.monotonic()
    try:
        report = warm.warm(flask_app, formats,
                           progress=(lambda m: None) if quiet else click.echo)
    except warm.WarmError as e:
        raise click.ClickException(f"Cache RDF non préparé : {e}")
    for part in report.formats:
        click.secho(f"Cache RDF du catalogue ({part.fmt}) prêt en "
                    f"{time.monotonic() - started:.1f} s : {part.datasets} jeu(x) public(s) "
                    f"sur {part.pages} page(s), {part.built} préparé(s), "
                    f"{part.already} déjà en cache", fg="green")
