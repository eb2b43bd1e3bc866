#!/usr/bin/env python3
"""Build-time check of the portal's image: every plugin of CKAN__PLUGINS is registered
(entry point `ckan.plugins`) and the package behind it is importable from the `ckanext`
namespace. Run by docker/Dockerfile; exits non-zero (failing the build) otherwise.

It imports no plugin module (they need a CKAN configuration): it resolves the packages only.
"""
import importlib.util
import os
import sys
from importlib.metadata import entry_points


def main() -> int:
    wanted = os.environ.get("CKAN__PLUGINS", "").split()
    registered = {ep.name: ep for ep in entry_points(group="ckan.plugins")}
    problems = []
    for name in wanted:
        ep = registered.get(name)
        if ep is None:
            problems.append(f"plugin {name!r}: no `ckan.plugins` entry point")
            continue
        package = ".".join(ep.value.split(":")[0].split(".")[:2])  # e.g. ckanext.harvest
        if importlib.util.find_spec(package) is None:
            problems.append(f"plugin {name!r}: package {package} not importable")
        else:
            print(f"ok  {name:<20} {ep.value}")
    for problem in problems:
        print(f"ERREUR  {problem}", file=sys.stderr)
    return 1 if problems or not wanted else 0


if __name__ == "__main__":
    sys.exit(main())
