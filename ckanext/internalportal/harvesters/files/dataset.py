"""The merged settings of a file or folder as the portal's dataset fields. Pure (no CKAN
import).

Sidecars are written by hand on a share: ``keywords`` may be a list or « a, b », ``contact`` an
address, a mapping or a list of them, ``theme`` one code or a list. Values the schema refuses
(an unknown licence, a public dataset with personal data) are left for CKAN's validation to
refuse, so that the job report says what the form would say.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from ckanext.internalportal.harvesters import fields as common, personal


def humanised(name: str) -> str:
    """A title from a file or folder name: « ventes_par-region_2024.csv » -> « Ventes par-region
    2024 »."""
    stem = PurePosixPath(name).stem if "." in name else name
    text = re.sub(r"[_\s]+", " ", stem).strip()
    return text[:1].upper() + text[1:] if text else name


def fields(settings: Mapping[str, Any], *, default_title: str, provenance: str,
           personal_columns: Mapping[str, str]) -> dict:
    """The dataset fields: ``settings`` as ``options.merge`` gives them, ``provenance`` the
    line saying where the data come from (always in the description, so that searching for a
    file's name finds its dataset), ``personal_columns`` those actually found in the files."""
    description = str(settings.get("description") or "").strip()
    dataset: dict = {
        "title": str(settings.get("title") or default_title).strip(),
        "notes": f"{description}\n\n{provenance}" if description else provenance,
        "personal_data": personal.personal_data_level(personal_columns),
    }
    dataset.update(common.common_fields(settings))
    return dataset
