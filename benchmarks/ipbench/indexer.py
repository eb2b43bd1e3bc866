"""A helper process of an index rebuild (worker.py, --index-procs P > 1):

    python -m ipbench.indexer INI IDS_FILE --threads T --label L

loads the configuration (load_config + make_app) and indexes the dataset ids of IDS_FILE (one
per line) under its plugins, as ckan.lib.search.rebuild(package_ids=...) does, without
committing Solr (the worker commits once, when every part is done). Several such processes
share the work the way `ckan search-index rebuild-fast` does: CKAN's indexing is mostly Python
(package_show twice per dataset), and threads of one process share one interpreter lock.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="ipbench.indexer")
    ap.add_argument("ini")
    ap.add_argument("ids_file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--label", default="index")
    args = ap.parse_args(argv)
    try:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        from .worker import index_packages

        app = make_app(load_config(args.ini))
        with open(args.ids_file) as f:
            ids = [line.strip() for line in f if line.strip()]
        index_packages(app._wsgi_app, ids, args.threads, commit=False, label=args.label)
    except Exception as e:  # noqa: BLE001 - reported in French, with the traceback
        import traceback
        traceback.print_exc()
        print(f"ERREUR : l'indexation ({args.label}) a échoué : {e!r}", file=sys.stderr,
              flush=True)
        return 5
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
