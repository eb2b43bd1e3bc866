"""``udata_harvester``: data.gouv.fr (or any udata) through its API v1 (``plugin.py``), with
its HTTP client (``client.py``) and the pure mapping to the portal's schema (``mapping.py``)."""
