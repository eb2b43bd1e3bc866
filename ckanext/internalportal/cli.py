"""`ckan internalportal …` commands."""
from __future__ import annotations

import os
import secrets
import time

import click

import ckan.plugins.toolkit as tk

from .demo import loader


__all__ = ["internalportal"]


@click.group(short_help="Portail interne : données de démonstration et administration.")
def internalportal():
    """Commandes du portail interne des données."""


@internalportal.group()
def demo():
    """Données de démonstration (ministères, jeux de données, fichiers)."""


def _site_user_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


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
        report = loader.load(data, _site_user_context,
                             progress=(lambda m: None) if quiet else click.echo)
    except tk.ValidationError as e:
        raise click.ClickException(f"Donnée refusée par CKAN : {e.error_summary}")
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
    context = _site_user_context()
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
