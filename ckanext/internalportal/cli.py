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
@click.option("--harvest", "with_harvest", is_flag=True,
              help="Puis crée et moissonne les sources de démonstration (comme « demo "
                   "harvest »).")
@click.option("--udata-url", envvar="IP_DEMO_UDATA_URL", default=None,
              help="Avec --harvest : le serveur data.gouv.fr de démonstration déjà lancé "
                   "(sinon un serveur local le temps du moissonnage).")
def demo_load(data_dir: str | None, admin_name: str | None, quiet: bool, with_harvest: bool,
              udata_url: str | None):
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
    if with_harvest:
        _demo_harvest(data_dir, admin_name, udata_url, None, quiet)


@demo.command("harvest")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False),
              help="Dossier des données (par défaut : celles livrées avec le paquet).")
@click.option("--admin", "admin_name", default=None,
              help="L'administrateur système qui crée les sources (par défaut : "
                   "l'utilisateur du site).")
@click.option("--udata-url", envvar="IP_DEMO_UDATA_URL", default=None,
              help="Le serveur data.gouv.fr de démonstration déjà lancé (sinon un serveur "
                   "local le temps du moissonnage).")
@click.option("--app-database", default=None,
              help="La base de l'application métier (par défaut : celle de sources.yaml).")
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que le bilan.")
def demo_harvest(data_dir: str | None, admin_name: str | None, udata_url: str | None,
                 app_database: str | None, quiet: bool):
    """Crée ou met à jour les sources de moissonnage de démonstration (une base SQL, un
    dossier partagé, data.gouv.fr), sans doublon, et moissonne chacune une fois."""
    data_dir = data_dir or tk.config.get("ckanext.internalportal.demo.data_dir") or None
    _demo_harvest(data_dir, admin_name, udata_url, app_database, quiet)


def _demo_harvest(data_dir: str | None, admin_name: str | None, udata_url: str | None,
                  app_database: str | None, quiet: bool) -> None:
    from .demo import harvest
    try:
        sources = harvest.read_sources(data_dir, loader.read_demo_data(data_dir).organizations)
    except loader.DemoDataError as e:
        raise click.ClickException(str(e))
    if not sources:
        return
    click.echo(f"Moissonnage de {len(sources)} source(s) de démonstration…")
    started = time.monotonic()
    context = ((lambda: {"user": admin_name, "ignore_auth": False}) if admin_name
               else site_context)
    reports = harvest.harvest(sources, context, progress=(lambda m: None) if quiet
                              else click.echo, app_database=app_database,
                              udata_url=udata_url,
                              flask_app=click.get_current_context().meta.get("flask_app"))
    failed = [r for r in reports if r.failure]
    datasets = sum(len(r.datasets) for r in reports)
    click.secho(f"Moissonnage terminé en {time.monotonic() - started:.1f} s : "
                f"{len(reports) - len(failed)} source(s) moissonnée(s), {datasets} jeu(x) "
                f"moissonné(s)" + (f", {len(failed)} en échec : "
                                   + ", ".join(r.name for r in failed) if failed else ""),
                fg="yellow" if failed else "green")


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
