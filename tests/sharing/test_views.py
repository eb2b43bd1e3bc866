"""The sharing pages, through the web app: the « Partage » tab of a dataset (share, revoke,
approve or refuse a request, the audit link) and « Demander l'accès » (views.py)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from ckanext.internalportal import settings
from tests.sharing.support import as_user, dataset, events, headers, share_rows

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]


def page(app, path, user=None, status=200) -> str:
    return unescape(app.get(path, headers=headers(user), status=status).body)


def post(app, path, user, data, status=302):
    return app.post(path, headers=headers(user), data=data, status=status,
                    follow_redirects=False)


def followed(app, response, user) -> str:
    """The page a post redirected to, with its flash message."""
    location = response.headers["Location"]
    return unescape(app.get(location, headers=headers(user)).body)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def sharing_url(pkg) -> str:
    return f"/dataset/{pkg['name']}/partage"


def picker(html: str) -> list[str]:
    """The organisation names the share form offers."""
    select = re.search(r'<select id="field-share-organization".*?</select>', html, re.S)
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


def request_for(people, pkg, user="c_agent", reason="Étude d'impact régionale"):
    return as_user(people[user], "dataset_access_request_create", id=pkg["id"],
                   reason=reason)


# ------------------------------------------------------------------ the tab
def test_the_sharing_tab_is_on_the_dataset_page_of_its_admins_only(people, app):
    pkg = dataset(people, "private")

    for user in ("admin", "sysadmin"):
        tab = re.search(rf'<a href="{sharing_url(pkg)}">(.*?)</a>',
                        page(app, f"/dataset/{pkg['name']}", people[user]), re.S)
        assert tab and text(tab.group(1)) == "Partage", user
    for user in ("member", "editor"):
        assert sharing_url(pkg) not in page(app, f"/dataset/{pkg['name']}", people[user]), user


def test_the_sharing_page_is_404_for_who_may_not_see_the_dataset_and_403_for_its_readers(
        people, app):
    pkg = dataset(people, "private")

    for stranger in ("c_agent", "nobody"):
        page(app, sharing_url(pkg), people[stranger], status=404)
    page(app, sharing_url(pkg), None, status=404)
    for reader in ("member", "editor"):
        assert "Seuls les administrateurs" in page(app, sharing_url(pkg), people[reader],
                                                   status=403)
        post(app, sharing_url(pkg), people[reader],
             {"organization": people["b"]["name"]}, status=403)
    assert share_rows(pkg["id"]) == []


def test_the_picker_offers_the_other_organisations_not_the_owner_nor_those_already_shared(
        people, app):
    pkg = dataset(people, "restricted")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["name"])

    html = page(app, sharing_url(pkg), people["admin"])

    assert picker(html) == [people["c"]["name"]]
    assert 'type="date" name="expires"' in html


def test_an_admin_shares_the_dataset_with_an_expiry_and_a_reason_through_the_form(people, app):
    pkg = dataset(people, "private")

    response = post(app, sharing_url(pkg), people["admin"], {
        "organization": people["b"]["name"], "expires": "2099-03-31",
        "reason": "Convention 2026"})

    assert share_rows(pkg["id"]) == [(people["b"]["id"], "active")]
    html = followed(app, response, people["admin"])
    assert (f"Le jeu de données est désormais partagé avec {people['b']['title']}."
            in text(html))
    row = re.search(rf'<tr data-organization="{people["b"]["name"]}">.*?</tr>', html, re.S)
    assert "31 mars 2099" in text(row.group(0))
    assert "Convention 2026" in row.group(0)
    assert "Révoquer" in row.group(0)
    assert people["b"]["name"] not in picker(html)


def test_a_past_expiry_date_is_refused_in_french_on_the_form_which_keeps_the_data(people, app):
    pkg = dataset(people, "private")

    html = unescape(post(app, sharing_url(pkg), people["admin"], {
        "organization": people["b"]["name"], "expires": "2001-01-31",
        "reason": "Convention 2026"}, status=400).body)

    assert "La date d'échéance doit être dans le futur." in text(html)
    assert 'value="2001-01-31"' in html
    assert "Convention 2026</textarea>" in html
    assert re.search(rf'<option value="{people["b"]["name"]}"\s+selected', html)
    assert share_rows(pkg["id"]) == [] and events(pkg["id"]) == []


def test_sharing_a_public_dataset_says_there_is_nothing_to_share(people, app):
    pkg = dataset(people, "public")

    html = text(page(app, sharing_url(pkg), people["admin"]))

    assert "Seuls les jeux de données restreints ou privés se partagent" in html
    post(app, sharing_url(pkg), people["admin"], {"organization": people["b"]["name"]},
         status=400)
    assert share_rows(pkg["id"]) == []


def test_the_revoke_button_ends_the_share_at_once(people, app):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["name"])
    page(app, f"/dataset/{pkg['name']}", people["b_member"])

    response = post(app, f"{sharing_url(pkg)}/revoquer", people["admin"],
                    {"organization": people["b"]["name"]})

    assert share_rows(pkg["id"]) == [(people["b"]["id"], "revoked")]
    html = text(followed(app, response, people["admin"]))
    assert f"{people['b']['title']} n'a plus accès au jeu de données." in html
    assert "Le jeu de données n'est partagé avec aucune organisation." in html
    page(app, f"/dataset/{pkg['name']}", people["b_member"], status=404)


def test_revoking_is_for_the_admins_only(people, app):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["name"])

    post(app, f"{sharing_url(pkg)}/revoquer", people["b_admin"],
         {"organization": people["b"]["name"]}, status=403)
    post(app, f"{sharing_url(pkg)}/revoquer", people["c_agent"],
         {"organization": people["b"]["name"]}, status=404)

    assert share_rows(pkg["id"]) == [(people["b"]["id"], "active")]


def test_the_audit_link_is_shown_to_the_owner_admins(people, app):
    pkg = dataset(people, "private")

    assert f"{sharing_url(pkg)}/journal.csv" in page(app, sharing_url(pkg), people["admin"])
    assert "Télécharger le journal des partages (CSV)" in text(
        page(app, sharing_url(pkg), people["admin"]))


@pytest.mark.ckan_config("ckanext.internalportal.sharing.editors_may_share", "true")
def test_editors_who_may_share_get_the_tab_but_not_the_audit_link(people, app):
    pkg = dataset(people, "private")

    assert sharing_url(pkg) in page(app, f"/dataset/{pkg['name']}", people["editor"])
    assert "journal.csv" not in page(app, sharing_url(pkg), people["editor"])


# ------------------------------------------------------------------ pending requests
def test_pending_requests_are_listed_on_the_tab(people, app, smtp_sink):
    pkg = dataset(people, "restricted")
    request_for(people, pkg)

    html = page(app, sharing_url(pkg), people["admin"])

    section = text(re.search(r'<section class="internalportal-access-requests".*?</section>',
                             html, re.S).group(0))
    assert "Demandes d'accès en attente" in section
    assert people["c"]["title"] in section and "Étude d'impact régionale" in section
    assert "Approuver" in section and "Refuser" in section


def test_approving_a_request_with_an_expiry_shares_the_dataset_with_the_requester(
        people, app, smtp_sink):
    pkg = dataset(people, "restricted")
    request = request_for(people, pkg)

    response = post(app, f"{sharing_url(pkg)}/demandes/{request['id']}/approuver",
                    people["admin"], {"expires": "2099-06-30", "reason": ""})

    assert share_rows(pkg["id"]) == [(people["c"]["id"], "active")]
    html = text(followed(app, response, people["admin"]))
    assert (f"Demande approuvée : le jeu de données est désormais partagé avec "
            f"{people['c']['title']}.") in html
    assert "30 juin 2099" in html
    assert "Aucune demande d'accès en attente." in html


def test_refusing_a_request_without_a_reason_is_refused_in_french(people, app, smtp_sink):
    pkg = dataset(people, "restricted")
    request = request_for(people, pkg)

    html = text(unescape(post(app, f"{sharing_url(pkg)}/demandes/{request['id']}/refuser",
                              people["admin"], {"reason": " "}, status=400).body))

    assert "Indiquez pourquoi : le motif est obligatoire." in html
    [pending] = as_user(people["admin"], "dataset_access_request_list", id=pkg["id"])
    assert pending["state"] == "pending"


def test_refusing_a_request_with_a_reason_decides_it(people, app, smtp_sink):
    pkg = dataset(people, "restricted")
    request = request_for(people, pkg)

    response = post(app, f"{sharing_url(pkg)}/demandes/{request['id']}/refuser",
                    people["admin"], {"reason": "Données nominatives"})

    assert f"Demande de {people['c']['title']} refusée." in text(
        followed(app, response, people["admin"]))
    [decided] = as_user(people["admin"], "dataset_access_request_list", id=pkg["id"])
    assert (decided["state"], decided["decision_reason"]) == ("refused", "Données nominatives")
    assert share_rows(pkg["id"]) == []


def test_a_request_of_another_dataset_is_not_decided_from_this_tab(people, app, smtp_sink):
    pkg, other = dataset(people, "restricted"), dataset(people, "restricted")
    request = request_for(people, other)

    post(app, f"{sharing_url(pkg)}/demandes/{request['id']}/approuver", people["admin"],
         {}, status=404)

    assert share_rows(other["id"]) == []


# ------------------------------------------------------------------ « Demander l'accès »
def request_url(pkg) -> str:
    return f"/dataset/{pkg['name']}/demande-acces"


def test_an_agent_without_the_data_of_a_restricted_dataset_sees_request_access(people, app):
    pkg = dataset(people, "restricted")

    html = page(app, f"/dataset/{pkg['name']}", people["c_agent"])
    assert "Demander l'accès" in text(html) and f'href="{request_url(pkg)}"' in html
    for reader in ("member", "admin", "sysadmin"):
        assert request_url(pkg) not in page(app, f"/dataset/{pkg['name']}", people[reader])
    internal = dataset(people, "internal")
    assert "demande-acces" not in page(app, f"/dataset/{internal['name']}", people["c_agent"])


def test_an_agent_asks_for_access_with_a_reason_and_then_sees_it_pending(people, app, smtp_sink):
    pkg = dataset(people, "restricted")

    form = text(page(app, request_url(pkg), people["c_agent"]))
    assert "Pourquoi avez-vous besoin de ces données ?" in form
    assert "Pour l'organisation" not in form  # one organisation: no picker
    response = post(app, request_url(pkg), people["c_agent"],
                    {"reason": "Étude d'impact régionale"})

    html = text(followed(app, response, people["c_agent"]))
    assert ("Votre demande a été envoyée aux administrateurs de "
            f"{people['org']['title']}") in html
    assert "Demande en attente" in html and "Demander l'accès" not in html
    [request] = as_user(people["admin"], "dataset_access_request_list", id=pkg["id"])
    assert (request["organization"]["id"], request["reason"]) == (people["c"]["id"],
                                                                  "Étude d'impact régionale")
    assert smtp_sink.to(people["admin"]["email"])


def test_a_request_without_a_reason_is_refused_in_french_and_nothing_is_asked(people, app):
    pkg = dataset(people, "restricted")

    html = text(unescape(post(app, request_url(pkg), people["c_agent"], {"reason": ""},
                              status=400).body))

    assert "Indiquez pourquoi : le motif est obligatoire." in html
    assert as_user(people["admin"], "dataset_access_request_list", id=pkg["id"]) == []
    assert events(pkg["id"]) == []


def test_an_agent_of_several_organisations_picks_the_one_they_ask_for(people, app, smtp_sink):
    pkg = dataset(people, "restricted")
    as_user(people["sysadmin"], "organization_member_create", id=people["b"]["id"],
            username=people["c_agent"]["name"], role="member")

    assert "Pour l'organisation" in text(page(app, request_url(pkg), people["c_agent"]))
    html = text(unescape(post(app, request_url(pkg), people["c_agent"],
                              {"reason": "Étude"}, status=400).body))
    assert "Vous appartenez à plusieurs organisations" in html
    post(app, request_url(pkg), people["c_agent"],
         {"reason": "Étude", "organization": people["b"]["name"]})

    [request] = as_user(people["admin"], "dataset_access_request_list", id=pkg["id"])
    assert request["organization"]["id"] == people["b"]["id"]


def test_a_reader_of_the_data_has_nothing_to_ask(people, app):
    pkg = dataset(people, "restricted")

    assert "il n'y a rien à demander" in text(page(app, request_url(pkg), people["member"]))
    post(app, request_url(pkg), people["member"], {"reason": "Pour voir"}, status=400)
    assert as_user(people["admin"], "dataset_access_request_list", id=pkg["id"]) == []


def test_the_request_page_of_a_dataset_one_may_not_see_is_404(people, app):
    pkg = dataset(people, "private")

    page(app, request_url(pkg), people["c_agent"], status=404)
    page(app, request_url(pkg), None, status=404)
