"""files_harvester (source type ``files``): the CSV, XLSX, JSON and Parquet files of a shared
folder as datasets.

A source's URL is the folder: an absolute path (``/srv/partages/statistiques``) or a
``file://`` URL, under one of the roots the option
``ckanext.internalportal.files_harvester.allowed_roots`` lists (empty: none). Its config
(options.py) may say ``group_by`` (``file``: one dataset per file, the default; ``folder``:
one per folder, a resource per file), ``include``/``exclude`` patterns, ``recursive``,
``max_malformed_rows``, a forced CSV ``encoding``/``delimiter``, per-path settings under
``files``, and the keys every source shares (access_level, keywords, theme, contact,
licence, personal_columns...).

Next to a file, ``<name>.meta.yaml`` (``ventes.csv.meta.yaml`` or ``ventes.meta.yaml``), and in
a folder, ``metadata.yaml`` (inherited by subfolders), describe the data::

    title: Dépenses par département
    description: Les dépenses 2024, par département.
    keywords: [budget, dépenses]
    licence: lov2
    access_level: internal
    contact: {name: Bureau du budget, email: budget@ministere.gouv.fr}
    personal_columns: {nir: hash, code postal: generalise, nom: drop}
    legal_basis: Mission d'intérêt public (art. 6.1.e RGPD)
    dpo_email: dpd@ministere.gouv.fr
    columns: {Montant: Montant TTC en euros}

Stored: CSV files and XLSX sheets as UTF-8 CSV (one resource per sheet) with a data
dictionary; JSON and Parquet as they are (rewritten when personal columns are declared).
"""
