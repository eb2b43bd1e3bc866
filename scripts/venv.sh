#!/usr/bin/env bash
# make venv: .venv/ with CKAN 2.12, scheming, dcat, harvest and this package (editable).
# Skips the install when requirements-dev.txt and setup.py have not changed since the last one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3.11}

stamp="$VENV/.installed-$(cat "$ROOT/requirements-dev.txt" "$ROOT/setup.py" | md5sum | cut -c1-12)"
if [ -f "$stamp" ] && [ -x "$VENV/bin/ckan" ]; then
  exit 0
fi
command -v "$PYTHON" >/dev/null || die "$PYTHON introuvable : le portail demande Python 3.11 (PYTHON=… make venv pour un autre chemin)."
# psycopg2 builds from source: it needs libpq's headers and a C compiler.
apt_install libpq-dev gcc
if [ ! -x "$VENV/bin/python" ]; then
  say "Création de l'environnement Python .venv ($($PYTHON --version))"
  "$PYTHON" -m venv "$VENV" || die "impossible de créer .venv (paquet python3-venv manquant ?)."
fi
say "Installation de CKAN 2.12 et des extensions dans .venv (première fois : 3 à 5 minutes)"
"$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip setuptools wheel \
  || die "pip n'a pas pu se mettre à jour (réseau vers PyPI ?)."
(cd "$ROOT" && "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt) \
  || die "l'installation des paquets Python a échoué (voir ci-dessus)."
rm -f "$VENV"/.installed-*
touch "$stamp"
ok "Environnement Python prêt"
