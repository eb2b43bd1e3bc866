"""internalportal_proconnect: State agents sign in with ProConnect (OpenID Connect) and land in
their ministry's organisation.

Wiring only: the protocol is Authlib's (client.py: PKCE, state, nonce, signed userinfo
verified against the provider's keys); what an identity is, the pages one may return to
(identity.py) and which organisation a SIRET belongs to (mapping.py) are pure; accounts.py
reconciles accounts by e-mail (model.py, ``ckan db upgrade -p internalportal_proconnect``);
the pages are in views.py and templates/, the sysadmins' list in logic/.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.plugin import SuiteTranslation
from ckanext.internalportal.proconnect import client, options as settings
from ckanext.internalportal.proconnect.registry import current_mapping
from ckanext.internalportal.proconnect.views import ID_TOKEN_KEY


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.config_declarations
@tk.blanket.helpers
class ProConnectPlugin(p.SingletonPlugin, SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IAuthenticator, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IConfigurable: a broken mapping file stops the start, with its French message
    def configure(self, config):
        current_mapping(settings.read())

    # IAuthenticator: CKAN's password form, as the option allows
    def login(self):
        if tk.request.method != "POST":
            return None
        mode = settings.read().local_login
        if mode == "all":
            return None
        if mode == "off":
            tk.h.flash_error(tk._("Sign-in with a password is switched off on this portal: "
                                  "sign in with ProConnect."))
            return tk.render("user/login.html", {}), 403
        # the password checked here without CKAN's authenticator, so that a wrong one is
        # counted once (by CKAN, which signs the administrator in or says it is wrong)
        from ckan import model
        login = tk.request.form.get("login") or ""
        user = model.User.by_name(login) or model.User.by_email(login)
        if (user is not None and user.is_active and not user.sysadmin
                and user.validate_password(tk.request.form.get("password") or "")):
            tk.h.flash_error(tk._("Sign-in with a password is kept for the portal's "
                                  "administrators: sign in with ProConnect."))
            return tk.render("user/login.html", {}), 403
        return None  # CKAN signs the administrator in, or says the password is wrong

    # IAuthenticator: signing out of the portal signs out of ProConnect too
    def logout(self):
        from flask import session
        id_token = session.get(ID_TOKEN_KEY)
        if not id_token or not tk.current_user.is_authenticated:
            return None
        session.pop(ID_TOKEN_KEY, None)
        tk.logout_user()
        url = client.logout_url(settings.read(), id_token,
                                tk.url_for("proconnect.logged_out", _external=True))
        if url is None:
            tk.h.flash_notice(tk._("You are signed out of the portal, but ProConnect could not "
                                   "be reached: close your browser to end your ProConnect "
                                   "session."))
            return tk.redirect_to("user.logged_out_page")
        return tk.redirect_to(url)
