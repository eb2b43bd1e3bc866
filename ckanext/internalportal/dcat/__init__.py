"""The portal's RDF profile ``internalportal_dcat_ap_3`` (``profiles.py``): ckanext-dcat's
DCAT-AP 3 completed for the French context and the portal's internal fields; registered in
setup.py under ``ckan.rdf.profiles`` and chosen with ``ckanext.dcat.rdf.profiles``."""
