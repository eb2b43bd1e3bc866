"""The portal's look: the State's design system (DSFR) over CKAN's templates.

- ``helpers.py``: what the templates read (the Marianne block, the ministry, the footer's
  links, the DSFR's ES module scripts);
- ``views.py``: the pages the footer must link (accessibility statement, legal notice,
  personal data, site map);
- ``layout.py`` and ``templates/``: the DSFR header and footer, the base layer below every
  plugin's templates that ``ckan_extends`` chains reach;
- ``../templates/``: the DSFR pages (README.md, « Thème DSFR », says which to extend);
- ``../assets/``: the webassets bundles; ``../public/internalportal/vendor/``: the DSFR files
  ``make assets`` copies from npm.
"""
