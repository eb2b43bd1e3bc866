"""ckanext-internalportal: the internal data portal of French ministries, as CKAN plugins."""
from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-internalportal",
    version="0.1.0",
    description="Portail interne des données des ministères : plugins CKAN (DCAT-AP, partage "
                "entre organisations, moissonneurs, statistiques d'usage)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    # every folder is a package, __init__.py or not: the alembic folders of the plugins
    # (ckanext/internalportal/migration/<plugin>/) ship their alembic.ini, script.py.mako and
    # README as package data, listed in MANIFEST.in
    packages=find_namespace_packages(include=["ckanext.*"], exclude=["tests", "tests.*"]),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        # CKAN itself is not listed: the extension goes into an existing CKAN 2.11/2.12.
        "ckanext-scheming>=3.1,<4",
        "ckanext-dcat>=2.4,<3",
        "ckanext-harvest>=1.6,<2",
        "PyYAML>=6",
        # files_harvester: Excel workbooks and Parquet files (imported only when such a file
        # is read)
        "openpyxl>=3.1",
        "pyarrow>=14",
        # internalportal_proconnect: the OpenID Connect protocol (PKCE, state, nonce, JWKS,
        # signed userinfo), as data.gouv.fr does it
        "Authlib>=1.6,<2",
    ],
    entry_points={
        # one line per plugin of the suite, added with its code (README.md, « Développement »)
        "ckan.plugins": [
            "internalportal = ckanext.internalportal.plugin:InternalPortalPlugin",
            "internalportal_sharing = ckanext.internalportal.sharing.plugin:SharingPlugin",
            "internalportal_stats = ckanext.internalportal.stats.plugin:StatsPlugin",
            "sql_harvester = ckanext.internalportal.harvesters.sql.plugin:SQLHarvester",
            "files_harvester = ckanext.internalportal.harvesters.files.plugin:FilesHarvester",
            "udata_harvester = ckanext.internalportal.harvesters.udata.plugin:UdataHarvester",
            "internalportal_proconnect = "
            "ckanext.internalportal.proconnect.plugin:ProConnectPlugin",
        ],
        "ckan.rdf.profiles": [
            "internalportal_dcat_ap_3 = "
            "ckanext.internalportal.dcat.profiles:InternalPortalDCATAP3Profile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3.11",
        "Framework :: CKAN",
        "Natural Language :: French",
    ],
)
