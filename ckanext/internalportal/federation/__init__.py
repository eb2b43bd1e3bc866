"""Federation with data.gouv.fr: what the portal gives data.gouv.fr's harvesters to read.

data.gouv.fr (udata) harvests a portal two ways (``udata/harvest/backends/``): its ``dcat``
backend reads the RDF catalogue (``dcat/``: the profile, and ``dcat/http.py`` for the charset),
its ``ckan`` backend reads the action API. ``ckan_path`` is what the second one needs and the
scheming schema does not give it: the ``extras`` it reads, derived from the top-level fields.
"""
