"""The RDF catalogue's action: ckanext-dcat's ``dcat_catalog_show``, chained, writing the page
as composed fragments (``composition.py``), each public dataset's taken from the cache
(``cache.py``) when it is there (``pages.py``). A format that cannot be composed is left to
ckanext-dcat. Registered only when the dcat plugin is loaded (``plugin.py``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from .composition import COMPOSABLE_FORMATS, rdflib_format
from .pages import render_page


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original_action, context: Context, data_dict: DataDict):
    if rdflib_format(data_dict.get("format")) not in COMPOSABLE_FORMATS:
        return original_action(context, data_dict)
    tk.check_access("dcat_catalog_show", context, data_dict)
    return render_page(context, data_dict).text
