"""Which organisation of the portal an agent belongs to, from their identity: the mapping file
(option ``ckanext.internalportal.proconnect.mapping_file``), pure.

One entry per organisation::

    - organization: ministere-interieur      # the organisation's name on the portal
      siret: ["11000001500013"]              # establishments (14 digits)
      siren: ["110000015"]                   # a whole legal unit (9 digits): its establishments
      email_domains: [interieur.gouv.fr]     # fallback: the professional address's domain

An agent's SIRET is looked up first, then their SIREN (its first nine digits), then the domain
of their e-mail address (sub-domains included: ``dgfip.finances.gouv.fr`` matches
``finances.gouv.fr``; the longest domain wins). A number or a domain named by two entries is
an error of the file, reported with its entries, as is any other mistake: the file is read
whole, or not at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SIRET_RE = re.compile(r"^\d{14}$")
SIREN_RE = re.compile(r"^\d{9}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
KEYS = {"organization", "siret", "siren", "email_domains"}


class MappingError(ValueError):
    """The mapping file cannot be used: the message says where and why, in French."""


@dataclass(frozen=True)
class Placement:
    """Where an identity lands: the organisation's name, and what matched (``siret``,
    ``siren`` or ``email_domain``)."""
    organization: str
    matched_by: str


@dataclass(frozen=True)
class Mapping:
    siret: dict[str, str] = field(default_factory=dict)
    siren: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)

    def place(self, siret: str | None, email: str | None) -> Placement | None:
        """The organisation of an agent with this SIRET and e-mail address, or None."""
        siret = normalise_number(siret)
        if siret and siret in self.siret:
            return Placement(self.siret[siret], "siret")
        if siret and len(siret) == 14 and siret[:9] in self.siren:
            return Placement(self.siren[siret[:9]], "siren")
        domain = (email or "").rpartition("@")[2].strip().lower()
        best = None
        for known, organization in self.domains.items():
            if (domain == known or domain.endswith("." + known)) and (
                    best is None or len(known) > len(best[0])):
                best = (known, organization)
        return Placement(best[1], "email_domain") if best else None

    @property
    def organizations(self) -> set[str]:
        return set(self.siret.values()) | set(self.siren.values()) | set(self.domains.values())


EMPTY = Mapping()


def normalise_number(value: Any) -> str:
    """A SIRET or SIREN as digits only (« 110 000 015 00013 » → ``11000001500013``)."""
    return re.sub(r"[\s.]", "", str(value or ""))


def parse(entries: Any, source: str = "le fichier de rattachement") -> Mapping:
    """The mapping of a parsed YAML document (a list of entries); MappingError otherwise."""
    if entries is None:
        return EMPTY
    if not isinstance(entries, list):
        raise MappingError(f"{source} : une liste d'entrées est attendue (une par organisation).")
    tables: dict[str, dict[str, str]] = {"siret": {}, "siren": {}, "email_domains": {}}
    checks = {"siret": (SIRET_RE, "un SIRET a 14 chiffres"),
              "siren": (SIREN_RE, "un SIREN a 9 chiffres"),
              "email_domains": (DOMAIN_RE, "un nom de domaine comme interieur.gouv.fr")}
    for number, entry in enumerate(entries, start=1):
        where = f"{source}, entrée {number}"
        if not isinstance(entry, dict):
            raise MappingError(f"{where} : un dictionnaire est attendu (organization, siret, "
                               "siren, email_domains).")
        unknown = set(entry) - KEYS
        if unknown:
            raise MappingError(f"{where} : clé inconnue {', '.join(sorted(map(str, unknown)))} "
                               f"(clés possibles : {', '.join(sorted(KEYS))}).")
        organization = str(entry.get("organization") or "").strip()
        if not NAME_RE.match(organization):
            raise MappingError(f"{where} : « organization » doit être l'identifiant d'une "
                               "organisation du portail (minuscules, chiffres, tirets).")
        where = f"{where} ({organization})"
        for key, (pattern, expected) in checks.items():
            values = entry.get(key) or []
            if isinstance(values, (str, int)):
                values = [values]
            if not isinstance(values, list):
                raise MappingError(f"{where} : « {key} » doit être une liste.")
            for value in values:
                value = (str(value).strip().lower() if key == "email_domains"
                         else normalise_number(value))
                if not pattern.match(value):
                    raise MappingError(f"{where} : « {value} » n'est pas valable dans "
                                       f"« {key} » ({expected}).")
                other = tables[key].get(value)
                if other and other != organization:
                    raise MappingError(
                        f"{where} : « {value} » est déjà rattaché à « {other} » (chaque "
                        "numéro ou domaine ne désigne qu'une organisation).")
                tables[key][value] = organization
    return Mapping(siret=tables["siret"], siren=tables["siren"], domains=tables["email_domains"])


def load(path: str | Path) -> Mapping:
    """The mapping of a YAML file; MappingError (in French) when it is missing or wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(f"Fichier de rattachement illisible : {path} ({error.strerror}).")
    try:
        entries = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MappingError(f"{path} n'est pas un YAML valable : {error}")
    return parse(entries, str(path))
