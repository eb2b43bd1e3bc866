"""Pages of internalportal_proconnect (``tk.blanket.blueprints``).

- ``/proconnect/login`` (« S'identifier avec ProConnect »): to the provider, with PKCE, state
  and nonce; ``came_from`` (a path of the portal, nothing else) is where the agent returns;
- ``/proconnect/callback``: the provider's answer, verified, the account reconciled by
  e-mail and placed in its organisation, the agent signed in;
- ``/proconnect/logged-out``: the provider's return after the logout (RP-initiated logout
  starts in plugin.py's ``logout``);
- ``/ckan-admin/proconnect``: the sysadmins' list of accounts no organisation claims.

Every fault ends on a French page with a 4xx or 503 status (``error.html``): no account
created or changed, no redirect outside the portal.
"""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from flask import Blueprint, session

from ckanext.internalportal.lib.context import current_user_context
from ckanext.internalportal.lib.i18n import N_
from ckanext.internalportal.proconnect import accounts, client, identity as identities
from ckanext.internalportal.proconnect import options as settings
from ckanext.internalportal.proconnect.registry import current_mapping

log = logging.getLogger(__name__)
proconnect = Blueprint("proconnect", __name__)

CAME_FROM_KEY = "proconnect_came_from"
ID_TOKEN_KEY = "proconnect_id_token"

# reason -> (status, title, message, what to do); French in the catalogue
FAULTS = {
    "not_configured": (404, N_("ProConnect is not available on this portal"),
                       N_("Sign-in with ProConnect is not configured on this portal."),
                       N_("Sign in with your portal account, or ask the portal's administrators.")),
    "provider_unavailable": (503, N_("ProConnect is not answering"),
                             N_("ProConnect did not answer in time or could not be reached. "
                             "Nothing was changed on your account."),
                             N_("Try again in a few minutes.")),
    "state": (400, N_("This sign-in request has expired"),
              N_("The sign-in request is unknown, has expired or has already been used (for "
              "example after going back in the browser). Nothing was changed on your account."),
              N_("Start the sign-in again from the sign-in page.")),
    "denied": (400, N_("Sign-in cancelled"),
               N_("The sign-in was cancelled at ProConnect. Nothing was changed on your account."),
               N_("Start the sign-in again from the sign-in page.")),
    "invalid_token": (400, N_("ProConnect's answer could not be verified"),
                      N_("The identity sent by ProConnect failed its checks (signature, issuer, "
                      "expiry or single-use values). For your security, you were not signed in "
                      "and nothing was changed."),
                      N_("Start the sign-in again; if this happens again, tell the portal's "
                      "administrators.")),
    "missing_email": (400, N_("Your e-mail address is missing"),
                      N_("ProConnect did not send your professional e-mail address: the portal "
                      "identifies agents by it, so you were not signed in."),
                      N_("Check that your identity provider shares your e-mail address, then try "
                      "again.")),
    "invalid_email": (400, N_("Your e-mail address is not valid"),
                      N_("The e-mail address sent by ProConnect is not a valid address: you were "
                      "not signed in."),
                      N_("Ask your identity provider to correct it, then try again.")),
    "missing_sub": (400, N_("ProConnect's answer could not be verified"),
                    N_("The identity sent by ProConnect has no identifier: you were not signed "
                    "in and nothing was changed."),
                    N_("Start the sign-in again; if this happens again, tell the portal's "
                    "administrators.")),
    "account_invalid": (400, N_("Your account could not be created"),
                        N_("The portal could not open an account from the identity sent by "
                           "ProConnect (one of its values is refused). Nothing was created."),
                        N_("Tell the portal's administrators, giving your e-mail address.")),
    "account_deleted": (403, N_("This account has been closed"),
                        N_("An administrator of the portal closed the account of this e-mail "
                        "address: you cannot sign in with it."),
                        N_("Write to the portal's administrators if you think this is a mistake.")),
}


def fault_page(reason: str, detail: str = ""):
    status, title, message, advice = FAULTS.get(reason, FAULTS["invalid_token"])
    log.warning("ProConnect : connexion refusée (%s) %s", reason, detail)
    return tk.render("proconnect/error.html", {
        "title": tk._(title), "message": tk._(message), "advice": tk._(advice),
        "reason": reason}), status


@proconnect.route("/proconnect/login")
def login():
    options = settings.read()
    came_from = identities.safe_came_from(tk.request.args.get("came_from"))
    if tk.current_user.is_authenticated:
        return tk.redirect_to(came_from or tk.url_for("dashboard.datasets"))
    session.pop(CAME_FROM_KEY, None)
    if came_from:
        session[CAME_FROM_KEY] = came_from
    try:
        return client.authorize_redirect(
            options, tk.url_for("proconnect.callback", _external=True))
    except client.SignInError as error:
        return fault_page(error.reason, error.detail)


@proconnect.route("/proconnect/callback")
def callback():
    options = settings.read()
    try:
        claims, id_token = client.complete(options)
        identity = identities.from_claims(claims)
    except client.SignInError as error:
        return fault_page(error.reason, error.detail)
    except identities.IdentityError as error:
        return fault_page(str(error))
    try:
        outcome = accounts.sign_in(identity, current_mapping(options),
                                   options.leave_previous_organization)
    except accounts.AccountRefused:
        return fault_page("account_deleted", identity.email)
    except accounts.AccountInvalid as error:
        return fault_page("account_invalid", f"{identity.email} {error.errors}")
    came_from = session.pop(CAME_FROM_KEY, None)
    _sign_in(outcome.user)
    session[ID_TOKEN_KEY] = id_token
    _welcome(outcome, identity)
    return tk.redirect_to(identities.safe_came_from(came_from) or tk.url_for("dashboard.datasets"))


def _sign_in(user) -> None:
    from ckan.views.user import regenerate_session, rotate_token
    regenerate_session()
    tk.login_user(user)
    rotate_token()


def _welcome(outcome: accounts.SignIn, identity: identities.Identity) -> None:
    h = tk.h
    if outcome.secured:
        h.flash_notice(tk._("Your account now opens with ProConnect: its former password and "
                            "API tokens were revoked. Create new API tokens from your profile "
                            "if you need them."))
    if outcome.organization is not None:
        h.flash_success(tk._("You are signed in with ProConnect, as a member of "
                             "{organization}.").format(
            organization=outcome.organization.display_name))
        if outcome.left is not None:
            h.flash_notice(tk._("Your ProConnect identity now belongs to {organization}: you "
                                "are no longer a member of {previous}.").format(
                organization=outcome.organization.display_name,
                previous=outcome.left.display_name))
        return
    contact = tk.config.get("ckanext.internalportal.theme.contact_email") or ""
    message = tk._("You are signed in with ProConnect, but no organisation of the portal "
                   "matches your establishment (SIRET {siret}): you see public data only.")
    message = message.format(siret=identity.siret or tk._("not given"))
    if contact:
        message += " " + tk._("To be placed in your ministry, write to the portal's "
                              "administrators at {email}, giving your SIRET.").format(
            email=contact)
    else:
        message += " " + tk._("To be placed in your ministry, ask the portal's "
                              "administrators, giving your SIRET.")
    h.flash_notice(message)


@proconnect.route("/proconnect/logged-out")
def logged_out():
    if not client.logout_callback(settings.read()):
        log.warning("ProConnect : retour de déconnexion sans état valable")
    return tk.redirect_to("user.logged_out_page")


@proconnect.route("/ckan-admin/proconnect")
def unplaced():
    try:
        rows = tk.get_action("proconnect_unplaced_account_list")(current_user_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the portal's administrators may see this page."))
    return tk.render("proconnect/admin_unplaced.html", {"accounts": rows})
