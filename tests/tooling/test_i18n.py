"""The French catalogue is complete: every string the suite's code and templates mark for
translation (the `.pot` that `make i18n` extracts) has a French translation, either in the
suite's catalogue or, for CKAN's own strings reused in our templates, in CKAN's catalogue;
none is left fuzzy, and the compiled `.mo` is up to date with the `.po`."""
from __future__ import annotations

from pathlib import Path

import ckan
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ckanext.internalportal.lib.plugin import I18N_DIR, I18N_DOMAIN

POT = I18N_DIR / f"{I18N_DOMAIN}.pot"
PO = I18N_DIR / "fr" / "LC_MESSAGES" / f"{I18N_DOMAIN}.po"
MO = PO.with_suffix(".mo")
CKAN_PO = Path(ckan.__file__).parent / "i18n" / "fr" / "LC_MESSAGES" / "ckan.po"


def _translated(path: Path) -> dict[str, str]:
    return {_key(m.id): _key(m.string) for m in read_po(path.open("rb"))
            if m.id and m.string and not m.fuzzy}


def _key(value):
    """A message id or translation; plural forms as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_every_extracted_string_has_a_french_translation():
    ours, ckans = _translated(PO), _translated(CKAN_PO)
    extracted = [m.id for m in read_po(POT.open("rb")) if m.id]
    missing = [msgid for msgid in extracted if msgid not in ours and msgid not in ckans]
    assert not missing, f"{len(missing)} string(s) without French (run make i18n, then " \
                        f"translate): {missing}"


def test_no_translation_is_left_fuzzy():
    fuzzy = [m.id for m in read_po(PO.open("rb")) if m.id and m.fuzzy]
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = {_key(m.id): _key(m.string) for m in read_mo(MO.open("rb")) if m.id}
    assert compiled == _translated(PO), "run make i18n (or setup.py compile_catalog)"
