# ckanext-internalportal — two commands on a fresh machine:
#   make demo   the French demo portal at http://127.0.0.1:5000 (services, data, server)
#   make test   the whole test suite on real PostgreSQL, Redis and Solr 9
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help venv assets up down status demo demo-load test bench i18n clean

help:
	@echo "make demo    portail de démonstration sur http://127.0.0.1:5000"
	@echo "make test    suite de tests complète (services réels)"
	@echo "make up / make down / make status    services (PostgreSQL, Redis, Solr 9)"
	@echo "make bench   mesures de performance contre CKAN seul (benchmarks/)"

venv:
	@scripts/venv.sh

# the DSFR and axe-core from the npm registry (package-lock.json), copied where CKAN serves them
assets:
	@scripts/assets.sh

up: venv assets
	@scripts/services.sh up

down:
	@scripts/services.sh down

status:
	@scripts/services.sh status

demo: up
	@scripts/demo.sh

# the same as demo, without serving (for scripts and CI)
demo-load: up
	@IP_DEMO_NO_SERVE=1 scripts/demo.sh

test: up
	@scripts/test.sh $(PYTEST_ARGS)

bench: up
	@.venv/bin/python benchmarks/run.py $(BENCH_ARGS)

# French catalogue: extract the strings, merge them into the .po, compile the .mo
i18n: venv
	@.venv/bin/python setup.py -q extract_messages update_catalog -l fr compile_catalog

clean: down
	rm -rf .state ckan.ini solr/target
