"""What the plugin keeps of an OpenID Connect identity, and the pure rules around it: the
claims it reads, the user name it proposes, the pages it may return to.

Claims read (ProConnect's names): ``sub`` (kept, never used to reconcile: ProConnect's ``sub``
is specific to each pair of service and identity provider), ``email`` (the key of the
account: required), ``given_name`` and ``usual_name`` (the full name), ``siret`` (the
organisation), ``uid`` (kept for support), ``idp_id`` (kept), ``acr`` (checked against the
level asked for, in the ID token).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from ckanext.internalportal.proconnect.mapping import normalise_number

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentityError(ValueError):
    """The identity cannot open an account; ``message`` is for the person, in French."""


@dataclass(frozen=True)
class Identity:
    sub: str
    email: str
    given_name: str
    usual_name: str
    siret: str
    uid: str
    idp_id: str

    @property
    def fullname(self) -> str:
        return " ".join(part for part in (self.given_name, self.usual_name) if part)


def _text(value: object, limit: int = 200) -> str:
    return str(value).strip()[:limit] if isinstance(value, (str, int)) else ""


def from_claims(claims: dict) -> Identity:
    """The identity of verified claims (ID token and userinfo, merged); IdentityError when
    the e-mail address is missing or malformed, or ``sub`` is missing."""
    email = _text(claims.get("email"), 254).lower()
    if not email:
        raise IdentityError("missing_email")
    if not EMAIL_RE.match(email):
        raise IdentityError("invalid_email")
    sub = _text(claims.get("sub"), 255)
    if not sub:
        raise IdentityError("missing_sub")
    siret = normalise_number(claims.get("siret"))
    return Identity(sub=sub, email=email,
                    given_name=_text(claims.get("given_name")),
                    usual_name=_text(claims.get("usual_name") or claims.get("family_name")),
                    siret=siret if re.fullmatch(r"\d{14}", siret) else "",
                    uid=_text(claims.get("uid")), idp_id=_text(claims.get("idp_id")))


def user_name_base(email: str) -> str:
    """A CKAN user name from the address's local part: ``Camille.Durand@x.gouv.fr`` →
    ``camille-durand`` (lower case, accents dropped, anything else a hyphen)."""
    local = email.partition("@")[0]
    ascii_ = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9_]+", "-", ascii_).strip("-_")[:90]
    return name if len(name) >= 2 else f"agent-{name}".rstrip("-")


def user_name_candidates(email: str, count: int = 50):
    """The names to try, in order: the base, then base-2, base-3…"""
    base = user_name_base(email)
    yield base
    for number in range(2, count + 2):
        yield f"{base}-{number}"


def safe_came_from(value: str | None) -> str | None:
    """``value`` if it is a path of this portal to return to after sign-in, else None: only
    ``/…`` paths, never ``//host``, ``/\\host``, a scheme, a host, or control characters
    (what browsers would turn into another site)."""
    if not value or not isinstance(value, str) or len(value) > 2000:
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
