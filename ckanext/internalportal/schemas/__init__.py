"""The portal's metadata schema as data: ``dataset.yaml`` (ckanext-scheming, DCAT-AP 3 field
names of ckanext-dcat), ``presets.yaml`` (the vocabulary pickers) and ``vocabularies/``.

A package so that ckanext-scheming resolves ``ckanext.internalportal.schemas:dataset.yaml`` and
``ckanext.internalportal.schemas:presets.yaml``.
"""
