"""One page of the RDF catalogue, its datasets' fragments through the cache: what the chained
``dcat_catalog_show`` (``actions.py``) answers and what ``ckan internalportal dcat
warm-cache`` (``warm.py``) runs, page after page. The search and the Hydra paging are
ckanext-dcat's own."""
from __future__ import annotations

from typing import NamedTuple

from ckan.types import Context, DataDict

from ckanext.dcat import logic as dcat_logic

from . import cache
from .composition import ComposedRDFSerializer


class Page(NamedTuple):
    text: str
    datasets: int       # on this page
    total: int          # in the whole catalogue


def render_page(context: Context, data_dict: DataDict) -> Page:
    """The page ``data_dict`` names (``format``, ``page``, ``q``, ``modified_since``,
    ``profiles``: ckanext-dcat's parameters), in a composable format."""
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    pagination_info = dcat_logic._pagination_info(query, data_dict)
    serializer = ComposedRDFSerializer(profiles=data_dict.get("profiles"))
    profiles = [getattr(p, "name", p.__name__) for p in serializer._profiles]
    text = serializer.serialize_catalog({}, query["results"], _format=data_dict.get("format"),
                                        pagination_info=pagination_info,
                                        fragments=cache.fragment_source(profiles))
    return Page(text, len(query["results"]), query["count"])
