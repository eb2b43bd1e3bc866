"""The mapping file of the options, read once and again when it changes on disk."""
from __future__ import annotations

import logging
import os
import threading

from ckanext.internalportal.proconnect import mapping
from ckanext.internalportal.proconnect.options import Options

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, tuple[float, mapping.Mapping]] = {}


def current_mapping(options: Options) -> mapping.Mapping:
    """The mapping of ``options.mapping_file`` (EMPTY without one); a file broken since the
    portal started keeps the last good mapping (the error is in the log), a file broken at
    start stops the start (plugin.py)."""
    path = options.mapping_file
    if not path:
        return mapping.EMPTY
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        stamp = -1.0
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            loaded = mapping.load(path)
        except mapping.MappingError:
            if cached:
                log.exception("ProConnect : fichier de rattachement illisible, le précédent "
                              "reste en vigueur")
                return cached[1]
            raise
        _cache[path] = (stamp, loaded)
        return loaded
