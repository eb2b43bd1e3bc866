"""sql_harvester: the tables and queries of a business application's database as datasets.

plugin.py wires the harvester (``SQLHarvester``) to ckanext-harvest; query.py checks a
configured query (one ``SELECT``); reader.py opens the database read-only and streams its
rows; secrets.py keeps the password of a source's URL out of everything shown back; config.py
reads and checks a source's JSON config.
"""
