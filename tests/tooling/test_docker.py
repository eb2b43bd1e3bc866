"""The Docker packaging (docker/), checked statically: no Docker engine is needed.

Plain pytest and PyYAML; CKAN's pytest plugin is not needed either:

    .venv/bin/python -m pytest -p no:ckan -o addopts= tests/tooling/test_docker.py

What is checked: the compose file's shape (images pinned, healthchecks, restart policy, health
conditions, named volumes, optional nginx), that no secret is written in it, that .env.example
documents every variable it uses, and that every CKAN option the stack sets through the
environment or `ckan config-tool` is an option CKAN or one of the installed extensions declares.
ProConnect's options (internalportal_proconnect) come from .env with the plugin's defaults, its
mapping file from a read-only mount, and its client secret is written in no file of docker/.
CKAN's DataStore has a database of its own, owned by CKAN's role, and a read-only role, both
created by postgres/initdb/ from .env; every portal container gets both connection URLs.
The portal's own settings (plugins, schema, profile, locales) are checked against their one
source, ckanext/internalportal/settings.py, by tests/tooling/test_settings.py. The migration
hook is run, with a `ckan` on PATH that records what it is asked.
"""
from __future__ import annotations

import ast
import importlib.resources
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ckanext.internalportal.settings import env_variable

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
DOCKERFILE = DOCKER / "Dockerfile"
ENV_EXAMPLE = DOCKER / ".env.example"
NGINX_CONF = DOCKER / "nginx" / "default.conf"
SUITE = ROOT / "ckanext" / "internalportal"
PROCONNECT_DECLARATION = SUITE / "proconnect" / "config_declaration.yaml"
PROCONNECT_SECRET_OPTION = "ckanext.internalportal.proconnect.client_secret"

SERVICES = {"ckan", "harvester-gather", "harvester-fetch", "harvester-run", "worker",
            "db", "redis", "solr", "nginx"}
PINNED_EXTENSIONS = {"ckanext-scheming": "3.1.0", "ckanext-dcat": "2.4.4",
                     "ckanext-harvest": "1.6.3"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY", re.IGNORECASE)
PLACEHOLDER = "changez-moi"

# `CKAN_*` variables (one underscore) that are not ini options: read by the official base
# image's scripts (ckan/ckan-docker-base, setup/prerun.py and setup/start_ckan.sh).
BASE_IMAGE_VARIABLES = {"CKAN_SYSADMIN_NAME", "CKAN_SYSADMIN_PASSWORD", "CKAN_SYSADMIN_EMAIL",
                        "CKAN_INI"}
# ckanext-scheming 3.1.0 ships no config declaration: the options it reads, as written in
# ckanext/scheming/plugins.py (SCHEMA_OPTION / FALLBACK_OPTION of each plugin, 'scheming.presets').
SCHEMING_OPTIONS = {"scheming.dataset_schemas", "scheming.dataset_fallback",
                    "scheming.group_schemas", "scheming.group_fallback",
                    "scheming.organization_schemas", "scheming.organization_fallback",
                    "scheming.presets"}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+x}; and $VAR
REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
BARE_REF = re.compile(r"\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


# ------------------------------------------------------------------------------- helpers --

def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict]:
    return load_compose()["services"]


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example: not a NAME=value line: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def strings(node):
    """Every string of a YAML document (keys and values)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def references(text: str) -> list[re.Match]:
    text = text.replace("$$", "\0\0")  # $$ is compose's escaped, literal $
    return list(REF.finditer(text))


def referenced_names(text: str) -> set[str]:
    text = text.replace("$$", "\0\0")
    return {m["name"] for m in REF.finditer(text)} | {m["name"] for m in BARE_REF.finditer(text)}


def interpolate(text: str, values: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        value = values.get(m["name"], "")
        if m["op"] in (":-", "-") and not value:
            return m["arg"]
        return value
    return REF.sub(one, text)


def image_tag(reference: str) -> str | None:
    """The tag of an image reference (None: no tag). A digest pins too: returned as is."""
    if "@sha256:" in reference:
        return reference.split("@", 1)[1]
    last = reference.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_pinned(reference: str) -> bool:
    tag = image_tag(reference)
    return bool(tag) and tag != "latest" and any(c.isdigit() for c in tag)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            result.append((instruction.upper(), args.strip()))
    return result


def dockerfile_env() -> dict[str, str]:
    env = {}
    for instruction, args in dockerfile_instructions():
        if instruction == "ENV":
            for token in shlex.split(args):
                name, _, value = token.partition("=")
                env[name] = value
    return env


def docker_scripts() -> list[Path]:
    return sorted(p for p in DOCKER.rglob("*")
                  if p.is_file() and (p.suffix in (".sh", ".py")
                                      or p.parent.name == "docker-entrypoint.d"))


def config_tool_options(text: str) -> set[str]:
    """Option names set by `ckan config-tool <ini> "key = value" ...` commands in a script."""
    text = re.sub(r"\\\n", " ", text)
    options = set()
    for m in re.finditer(r"config-tool\s+([^\n;&|>]*)", text):
        tokens = shlex.split(m.group(1), comments=True)
        positional, skip = [], False
        for token in tokens:
            if skip:
                skip = False
            elif token in ("-s", "--section", "-f", "--file"):
                skip = True
            elif not token.startswith("-"):
                positional.append(token)
        for token in positional[1:]:  # the first one is the ini file
            if "=" in token:
                options.add(token.split("=", 1)[0].strip())
    return options


def ckan_env_mapping() -> dict[str, str]:
    """CKAN's own env var -> option mapping (CONFIG_FROM_ENV_VARS of ckan/config/environment.py),
    read from the source without importing it (importing needs a configured CKAN)."""
    spec = importlib.util.find_spec("ckan")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("ckan is not installed in this interpreter")
    source = Path(list(spec.submodule_search_locations)[0]) / "config" / "environment.py"
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "CONFIG_FROM_ENV_VARS":
            mapping = ast.literal_eval(node.value)
            return {env: option for option, env in mapping.items()}
    raise AssertionError(f"CONFIG_FROM_ENV_VARS not found in {source}")


def declared_keys(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(option["key"]) for group in data.get("groups") or []
            for option in group.get("options") or [] if "key" in option}


def declared_options() -> set[str]:
    """Options declared by CKAN core, by this package and by the installed extensions."""
    if importlib.util.find_spec("ckan") is None:
        pytest.skip("ckan is not installed in this interpreter")
    keys = declared_keys(Path(str(importlib.resources.files("ckan")
                                  / "config" / "config_declaration.yaml")))
    # this package: whatever its declarations hold at run time (internalportal's, and each
    # plugin folder's: sharing/, stats/, proconnect/, harvesters/…)
    for own in sorted(SUITE.rglob("config_declaration*.y*ml")):
        keys |= declared_keys(own)
    # the extensions (harvest and dcat ship declaration files; scheming does not) and CKAN's
    # own DataStore plugin, whose declaration lives in its package (ckanext/datastore/)
    for package in ("ckanext.harvest", "ckanext.dcat", "ckanext.scheming", "ckanext.datastore"):
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for path in Path(location).glob("config_declaration*.y*ml"):
                keys |= declared_keys(path)
    return keys | SCHEMING_OPTIONS


def is_declared(option: str, declared: set[str]) -> bool:
    """Declared as such, or matched by a declared pattern: `sqlalchemy.<OPTION>` declares every
    `sqlalchemy.x` (a <WILDCARD> stands for one dotted segment)."""
    if option in declared:
        return True
    patterns = (k for k in declared if "<" in k)
    return any(re.fullmatch(".".join("[^.]+" if re.fullmatch(r"<\w+>", part) else re.escape(part)
                                     for part in key.split(".")), option)
               for key in patterns)


def ini_option(variable: str, declared: set[str], core: dict[str, str]) -> str | None:
    """The ini option an environment variable sets, or None if it sets none.

    As CKAN and ckanext-envvars read them: CKAN's own CKAN_* variables; CKAN__X__Y ->
    ckan.x.y and CKANEXT__X__Y -> ckanext.x.y (lowercase, double underscore = dot, single
    underscore kept); CKAN___X__Y -> x.y, or X as written when CKAN declares it so (SECRET_KEY).
    """
    if variable in core:
        return core[variable]
    if variable.startswith("CKAN___"):
        key = variable[len("CKAN___"):]
        return key if key in declared else key.lower().replace("__", ".")
    if variable.startswith(("CKAN__", "CKANEXT__")):
        return variable.lower().replace("__", ".")
    return None


def portal_services() -> dict[str, dict]:
    """The services that run the portal's image (CKAN and its workers)."""
    return {name: s for name, s in services().items() if "build" in s}


def portal_variables() -> set[str]:
    """Environment variable names the stack gives CKAN: compose, Dockerfile, .env.example."""
    names = set(dockerfile_env())
    for service in portal_services().values():
        names |= set(environment(service))
    names |= {n for n in env_example() if n.startswith(("CKAN__", "CKANEXT__"))}
    return names


# ----------------------------------------------------------------------- compose: shape --

def test_the_compose_file_is_yaml_with_every_service_of_the_stack():
    compose = load_compose()
    assert isinstance(compose, dict)
    assert isinstance(compose.get("services"), dict)
    assert SERVICES <= set(compose["services"]), SERVICES - set(compose["services"])


def test_every_service_has_an_image_or_a_build():
    missing = [name for name, s in services().items() if not (s.get("image") or s.get("build"))]
    assert not missing


def test_every_service_has_a_healthcheck():
    for name, service in services().items():
        check = service.get("healthcheck") or {}
        assert not check.get("disable"), name
        test = check.get("test")
        assert test and test not in (["NONE"], "NONE"), f"{name}: no healthcheck test"
        if isinstance(test, list):
            assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name


def test_every_service_restarts_unless_stopped():
    wrong = {name: s.get("restart") for name, s in services().items()
             if s.get("restart") != "unless-stopped"}
    assert not wrong


def test_services_wait_for_their_dependencies_to_be_healthy():
    for name, service in services().items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for dependency, spec in depends.items():
            assert dependency in services(), f"{name} depends on unknown {dependency}"
            assert (spec or {}).get("condition") == "service_healthy", f"{name} -> {dependency}"
    # and the web container waits for everything it needs at start
    assert {"db", "solr", "redis"} <= set(services()["ckan"]["depends_on"])


def test_every_pulled_image_is_pinned_to_a_version_tag():
    for name, service in services().items():
        if "build" in service:
            continue
        image = service.get("image", "")
        assert "$" not in image, f"{name}: image tag from a variable: {image}"
        assert is_pinned(image), f"{name}: image not pinned: {image!r}"


def test_the_built_image_gets_a_version_tag_not_latest():
    values = env_example()
    for name, service in portal_services().items():
        image = interpolate(service.get("image", ""), values)
        assert image, f"{name}: the built image has no name"
        assert is_pinned(image), f"{name}: {image!r}"


def test_postgres_redis_and_nginx_are_pinned_to_a_minor_version_and_solr_to_ckan_2_12():
    images = {name: s["image"] for name, s in services().items() if "image" in s}
    for name in ("db", "redis", "nginx"):
        assert re.match(r"\d+\.\d+", image_tag(images[name]) or ""), images[name]
    assert images["solr"].startswith("ckan/ckan-solr:2.12-solr9"), images["solr"]


def test_the_portal_services_share_one_image_and_its_worker_commands():
    portal = portal_services()
    assert set(portal) == {"ckan", "harvester-gather", "harvester-fetch", "harvester-run",
                           "worker"}
    assert len({s["image"] for s in portal.values()}) == 1
    commands = {name: " ".join(s.get("command") or []) for name, s in portal.items()}
    assert commands["harvester-gather"].endswith("harvester gather-consumer")
    assert commands["harvester-fetch"].endswith("harvester fetch-consumer")
    assert commands["worker"].endswith("jobs worker")
    loop = (DOCKER / "scripts" / "harvester-run-loop.sh").read_text(encoding="utf-8")
    assert commands["harvester-run"] == "internalportal-harvester-run"
    assert re.search(r"ckan -c \S+ harvester run\b", loop) and "sleep" in loop


def test_state_lives_in_named_volumes():
    compose = load_compose()
    expected = {"db": ("pg_data", "/var/lib/postgresql/data"), "solr": ("solr_data", "/var/solr"),
                "redis": ("redis_data", "/data"), "ckan": ("ckan_storage", "/var/lib/ckan")}
    assert {v for v, _ in expected.values()} <= set(compose.get("volumes") or {})
    for name, (volume, target) in expected.items():
        mounts = [str(m) for m in compose["services"][name].get("volumes") or []]
        assert f"{volume}:{target}" in mounts, f"{name}: {mounts}"


def test_the_database_is_initialised_from_the_environment():
    db = services()["db"]
    env = environment(db)
    assert {"CKAN_DB_USER", "CKAN_DB_PASSWORD", "CKAN_DB", "POSTGRES_PASSWORD"} <= set(env)
    mount = next(m for m in db["volumes"] if "docker-entrypoint-initdb.d" in m)
    initdb = (COMPOSE_FILE.parent / mount.split(":")[0]).resolve()
    scripts = sorted(initdb.glob("*.sh"))
    assert scripts, f"no init script in {initdb}"
    text = "\n".join(p.read_text(encoding="utf-8") for p in scripts)
    for variable in ("CKAN_DB_USER", "CKAN_DB_PASSWORD", "CKAN_DB"):
        # handed to psql as a variable (--set=name="$VAR"), not pasted into the SQL
        assert re.search(rf'--set=\w+="\$\{{?{variable}\}}?"', text), variable
    assert "CREATE ROLE" in text and "CREATE DATABASE" in text


# ---------------------------------------------------------------------------- DataStore --
# CKAN's DataStore (plugin `datastore`): a database of its own, owned by CKAN's role (the write
# URL's user, so that the base image's prerun.py can run `ckan datastore set-permissions`
# through it without a superuser), and a read-only role for the read URL (datastore_search_sql).

DATASTORE_INITDB = DOCKER / "postgres" / "initdb" / "20_create_datastore_database.sh"
DATASTORE_VARIABLES = ("DATASTORE_DB", "DATASTORE_READONLY_USER", "DATASTORE_READONLY_PASSWORD")
# postgresql://user:password@host:port/database (the ${...} references masked first: their
# `:?message` would read as a password separator)
DB_URL = re.compile(r"postgresql://(?P<user>[^:@/]+):(?P<password>[^@/]+)@(?P<host>[^:/]+)"
                    r"(?::(?P<port>\d+))?/(?P<database>[^/?]+)")


def url_parts(url: str) -> dict[str, str]:
    """user, password, host, port, database of a compose URL, each as written (${...} kept)."""
    refs = [m.group(0) for m in REF.finditer(url)]
    masked = REF.sub(lambda m: f"\x01{refs.index(m.group(0))}\x01", url)
    m = DB_URL.fullmatch(masked)
    assert m, f"not a postgresql:// URL: {url!r}"
    return {k: None if v is None else re.sub(r"\x01(\d+)\x01", lambda t: refs[int(t[1])], v)
            for k, v in m.groupdict().items()}


def ref_name(text: str) -> str:
    """The variable a whole ${VAR...} reference names."""
    m = REF.fullmatch(text)
    assert m, f"not a single ${{...}} reference: {text!r}"
    return m["name"]


def psql_heredoc(text: str) -> str:
    """The SQL of the script's quoted here-document (<<'SQL' ... SQL): no shell expansion."""
    m = re.search(r"<<'SQL'\n(.*?)^SQL$", text, re.S | re.M)
    assert m, "the SQL is not in a quoted here-document (<<'SQL'): the shell would expand it"
    return m.group(1)


def test_the_datastore_initdb_script_runs_after_ckan_s_and_is_executable():
    initdb = sorted(p.name for p in DATASTORE_INITDB.parent.glob("*.sh"))
    assert initdb.index(DATASTORE_INITDB.name) > initdb.index("10_create_ckan_database.sh")
    assert DATASTORE_INITDB.stat().st_mode & 0o111, "not executable: the image would source it"


def test_the_datastore_initdb_script_creates_the_read_only_role_and_a_database_owned_by_ckan():
    text = DATASTORE_INITDB.read_text(encoding="utf-8")
    # every value handed to psql as a variable (--set=name="$VAR")
    sets = dict(re.findall(r'--set=(\w+)="\$\{?(\w+)\}?"', text))
    assert sets == {"ckan_user": "CKAN_DB_USER", "ro_user": "DATASTORE_READONLY_USER",
                    "ro_password": "DATASTORE_READONLY_PASSWORD",
                    "datastore_db": "DATASTORE_DB"}, sets
    assert re.search(r'DATASTORE_DB="\$\{DATASTORE_DB:-datastore\}"', text)
    sql = psql_heredoc(text)
    assert "$" not in sql.replace("$body$", ""), "a shell value in the SQL"
    # the role: a login role, nothing more; .env's password, as a psql literal
    assert re.search(r"format\('CREATE ROLE %I', :'ro_user'\)", sql)
    alter = re.search(r'ALTER ROLE :"ro_user" WITH ([^;]*);', sql)
    assert alter, "the read-only role's attributes and password are not set"
    attributes = alter.group(1).split()
    assert "LOGIN" in attributes and "PASSWORD" in attributes
    assert {"NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION",
            "NOBYPASSRLS"} <= set(attributes)
    assert attributes[attributes.index("PASSWORD") + 1] == ":'ro_password'"
    # the database, owned by CKAN's role (the write URL's user)
    create_db = re.search(r"format\('CREATE DATABASE %I WITH OWNER %I[^']*',\s*"
                          r":'datastore_db', :'ckan_user'", sql)
    assert create_db, "the DataStore's database is not created owned by CKAN's role"
    # only the read-only role (and the owner) may connect: CKAN's start-up checks connect
    # with the read URL before set-permissions has run
    assert 'REVOKE ALL ON DATABASE :"datastore_db" FROM PUBLIC;' in sql
    assert 'GRANT CONNECT ON DATABASE :"datastore_db" TO :"ro_user";' in sql
    # created only when missing (\gexec), so that it may run again by hand
    assert sql.count("\\gexec") == 2 and sql.count("WHERE NOT EXISTS") == 2


def test_the_datastore_initdb_script_is_a_subshell_that_names_what_is_missing_in_french():
    text = DATASTORE_INITDB.read_text(encoding="utf-8")
    assert re.search(r"^create_datastore_database\(\) \($", text, re.M)
    assert re.search(r"^create_datastore_database$", text, re.M)
    for variable in ("CKAN_DB_USER", "CKAN_DB", "DATASTORE_READONLY_USER",
                     "DATASTORE_READONLY_PASSWORD"):
        assert f'"${{{variable}:?{variable} manquant}}"' in text, variable
    assert re.search(r'echo "\[initdb\] DataStore : ', text)


def test_the_db_service_hands_the_datastore_variables_to_the_initdb_script():
    env = environment(services()["db"])
    assert env["DATASTORE_DB"] == "${DATASTORE_DB:-datastore}"
    for variable in ("DATASTORE_READONLY_USER", "DATASTORE_READONLY_PASSWORD"):
        ref = REF.fullmatch(env[variable])
        assert ref and ref["name"] == variable and ref["op"] == ":?", (variable, env[variable])


def test_every_portal_container_gets_both_datastore_urls():
    for name, service in portal_services().items():
        env = environment(service)
        for variable in ("CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL"):
            assert variable in env, f"{name}: {variable} is not passed to the container"
        write, read = (url_parts(env[v]) for v in ("CKAN_DATASTORE_WRITE_URL",
                                                    "CKAN_DATASTORE_READ_URL"))
        main = url_parts(env["CKAN_SQLALCHEMY_URL"])
        # one database, the DataStore's, on the stack's PostgreSQL; not CKAN's
        for url in (write, read):
            assert url["host"] == "db" and url["port"] == "5432", (name, url)
            assert url["database"] == "${DATASTORE_DB:-datastore}", (name, url)
        assert ref_name(write["database"]) != ref_name(main["database"])
        # written as CKAN's role (the database's owner), read as the read-only role
        assert (write["user"], write["password"]) == (main["user"], main["password"]), name
        assert ref_name(read["user"]) == "DATASTORE_READONLY_USER", name
        assert ref_name(read["password"]) == "DATASTORE_READONLY_PASSWORD", name
        assert ref_name(read["user"]) != ref_name(write["user"]), name
        # a missing user or password stops compose with a message
        for part in (read["user"], read["password"], write["user"], write["password"]):
            assert REF.fullmatch(part)["op"] == ":?", (name, part)


def test_the_datastore_urls_are_read_by_ckan_itself():
    core = ckan_env_mapping()
    assert core["CKAN_DATASTORE_WRITE_URL"] == "ckan.datastore.write_url"
    assert core["CKAN_DATASTORE_READ_URL"] == "ckan.datastore.read_url"


def test_env_example_has_the_datastore_block_with_a_placeholder_password():
    values = env_example()
    assert {v: values.get(v) for v in DATASTORE_VARIABLES} == {
        "DATASTORE_DB": "datastore", "DATASTORE_READONLY_USER": "datastore_ro",
        "DATASTORE_READONLY_PASSWORD": PLACEHOLDER}
    assert values["DATASTORE_DB"] != values["CKAN_DB"]
    assert values["DATASTORE_READONLY_USER"] not in (values["CKAN_DB_USER"],
                                                      values["POSTGRES_USER"])
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"^# -+ DataStore --$", text, re.M), "no « DataStore » block"


def test_the_readme_tells_how_to_add_the_datastore_to_an_existing_volume():
    readme = (DOCKER / "README.md").read_text(encoding="utf-8")
    assert "## DataStore" in readme
    assert DATASTORE_INITDB.name in readme
    assert "set-permissions" in readme


def test_nginx_is_optional_and_proxies_to_ckan_with_a_static_cache():
    nginx = services()["nginx"]
    assert nginx.get("profiles") == ["nginx"]
    assert any(str(m).startswith("./nginx/default.conf:") for m in nginx.get("volumes") or [])
    # no other service needs a profile: `docker compose up` starts the whole portal
    assert not [n for n, s in services().items() if s.get("profiles") and n != "nginx"]
    conf = NGINX_CONF.read_text(encoding="utf-8")
    assert "http://ckan:5000" in conf
    assert re.search(r"^\s*proxy_cache_path\s", conf, re.M)
    assert re.search(r"^\s*proxy_cache\s+\w+;", conf, re.M)
    # only static prefixes are cached, never the whole site
    cached = re.findall(r"location\s+([^{]+)\{[^}]*proxy_cache\s+\w+;", conf)
    assert cached and all("webassets" in c for c in cached), cached


# ----------------------------------------------------------------------------- secrets --

def test_no_secret_literal_in_the_compose_file():
    for name, service in services().items():
        for variable, value in environment(service).items():
            if not SECRET_NAME.search(variable):
                continue
            refs = references(value)
            assert refs, f"{name}: {variable} is a literal, not a ${{...}} reference"
            rest = REF.sub("", value.replace("$$", "\0\0"))
            assert rest in ("", "string:"), f"{name}: {variable} has literal text {rest!r}"
            for ref in refs:
                assert ref["op"] in (":?", "?") or not ref["arg"], (
                    f"{name}: {variable} has a default secret: {ref.group(0)}")


def test_no_password_literal_in_connection_urls():
    for name, service in services().items():
        for variable, value in environment(service).items():
            tokens = {}

            def token(m, tokens=tokens):
                tokens[f"\x01{len(tokens)}\x01"] = m.group(0)
                return f"\x01{len(tokens) - 1}\x01"
            masked = REF.sub(token, value)
            for m in re.finditer(r"://([^/@\s]*):([^/@\s]*)@", masked):
                assert m.group(2) in tokens, f"{name}: {variable} has a literal password"


def test_the_dockerfile_bakes_no_secret():
    for instruction, args in dockerfile_instructions():
        if instruction in ("ENV", "ARG"):
            for token in shlex.split(args):
                name, _, value = token.partition("=")
                assert not (SECRET_NAME.search(name) and value), f"{instruction} {token}"


def test_env_example_holds_placeholders_not_secrets():
    for name, value in env_example().items():
        if SECRET_NAME.search(name):
            assert value == "" or PLACEHOLDER in value, f"{name}={value!r}"


def test_the_real_env_file_stays_out_of_git_and_of_the_image():
    assert ".env" in (DOCKER / ".gitignore").read_text(encoding="utf-8").split()
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert "docker/.env" in ignored or "**/.env" in ignored
    assert {".git", ".venv"} <= set(ignored)


# ---------------------------------------------------------------------------- .env.example --

def test_every_variable_the_compose_file_uses_is_in_env_example():
    used = set()
    for text in strings(load_compose()):
        used |= referenced_names(text)
    missing = used - set(env_example())
    assert not missing, f"missing from .env.example: {sorted(missing)}"


def test_every_variable_of_env_example_is_used_by_the_compose_file():
    used = set()
    for text in strings(load_compose()):
        used |= referenced_names(text)
    unused = set(env_example()) - used
    assert not unused, f"in .env.example but used nowhere: {sorted(unused)}"


def test_every_variable_of_env_example_has_a_comment_above_it():
    previous = ""
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            assert previous.startswith("#") and len(previous) > 2, f"undocumented: {stripped}"
        previous = stripped


def test_the_plugins_list_ends_with_envvars():
    # which plugins come before it: tests/tooling/test_settings.py, against the settings source
    for where, plugins in (("docker/.env.example", env_example()["CKAN__PLUGINS"]),
                           ("docker/Dockerfile", dockerfile_env()["CKAN__PLUGINS"])):
        names = plugins.split()
        assert names[-1] == "envvars", f"{where}: envvars must be the last plugin"
        assert names.count("envvars") == 1, where


def test_the_portal_has_a_site_title():
    assert env_example()["CKANEXT__INTERNALPORTAL__SITE_TITLE"]


# --------------------------------------------------------------------------- CKAN options --

def test_every_ckan_option_the_stack_sets_is_declared():
    declared, core = declared_options(), ckan_env_mapping()
    options = {}
    for variable in portal_variables():
        option = ini_option(variable, declared, core)
        if option:
            options[option] = variable
    scripts = [DOCKERFILE, *docker_scripts()]
    for path in scripts:
        for option in config_tool_options(path.read_text(encoding="utf-8")):
            options[option] = f"ckan config-tool in {path.relative_to(ROOT)}"
    # the extraction itself works: these are set for sure
    assert {"ckan.plugins", "sqlalchemy.url", "solr_url", "ckan.redis.url", "ckan.site_url",
            "ckan.harvest.mq.type", "ckan.locale_default", "ckanext.internalportal.site_title",
            "SECRET_KEY"} <= set(options), sorted(options)
    undeclared = {option: source for option, source in options.items()
                  if not is_declared(option, declared)}
    assert not undeclared, f"options no declaration knows: {undeclared}"


def test_every_single_underscore_ckan_variable_is_read_by_ckan_or_the_base_image():
    core = ckan_env_mapping()
    unknown = {v for v in portal_variables()
               if v.startswith("CKAN_") and not v.startswith("CKAN__")
               and v not in core and v not in BASE_IMAGE_VARIABLES}
    assert not unknown, f"nothing reads these: {sorted(unknown)}"


def test_the_scheming_allow_list_names_options_scheming_really_reads():
    spec = importlib.util.find_spec("ckanext.scheming")
    if spec is None:
        pytest.skip("ckanext-scheming is not installed in this interpreter")
    source = "".join(p.read_text(encoding="utf-8")
                     for loc in spec.submodule_search_locations
                     for p in Path(loc).glob("plugins.py"))
    missing = {o for o in SCHEMING_OPTIONS if f"'{o}'" not in source and f'"{o}"' not in source}
    assert not missing


# --------------------------------------------------------------------------- ProConnect --
# internalportal_proconnect takes its options from .env like every other: each one declared
# in proconnect/config_declaration.yaml has its ckanext-envvars variable in .env.example and in
# the portal containers' environment; the client secret is the deployment's own (.env only).

PROCONNECT_SECRET = env_variable(PROCONNECT_SECRET_OPTION)
PROCONNECT_ROUTES = ("/proconnect/callback", "/proconnect/logged-out")


def proconnect_options() -> dict[str, object]:
    """Option -> declared default, from the plugin's config_declaration.yaml."""
    data = yaml.safe_load(PROCONNECT_DECLARATION.read_text(encoding="utf-8"))
    return {str(option["key"]): option.get("default", "")
            for group in data["groups"] for option in group["options"]}


def as_env_value(value: object) -> str:
    """A declared default as an environment variable writes it (YAML true -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def test_every_proconnect_option_but_the_secret_is_in_env_example():
    options = proconnect_options()
    assert PROCONNECT_SECRET_OPTION in options and len(options) > 1  # the declaration was read
    values = env_example()
    missing = {option: env_variable(option) for option in options
               if option != PROCONNECT_SECRET_OPTION and env_variable(option) not in values}
    assert not missing, f"{ENV_EXAMPLE.relative_to(ROOT)} lacks {missing}"


def test_every_portal_container_gets_the_proconnect_options_with_the_declared_defaults():
    # an .env written before the plugin (no ProConnect lines) runs it with its own defaults
    for name, service in portal_services().items():
        env = environment(service)
        for option, default in proconnect_options().items():
            variable = env_variable(option)
            assert variable in env, f"{name}: {variable} is not passed to the container"
            ref = REF.fullmatch(env[variable])
            assert ref and ref["name"] == variable and ref["op"] == ":-", (
                f"{name}: {variable}: {env[variable]!r} is not ${{{variable}:-default}}")
            assert ref["arg"] == as_env_value(default), (
                f"{name}: {variable} defaults to {ref['arg']!r}, the plugin to {default!r}")


def test_the_proconnect_secret_is_empty_in_env_example_and_written_in_no_docker_file():
    assert PROCONNECT_SECRET == "CKANEXT__INTERNALPORTAL__PROCONNECT__CLIENT_SECRET"
    values = env_example()
    assert PROCONNECT_SECRET in values, f"{ENV_EXAMPLE.relative_to(ROOT)} lacks {PROCONNECT_SECRET}"
    assert values[PROCONNECT_SECRET] == "", f"{ENV_EXAMPLE.relative_to(ROOT)}: a secret value"
    # NAME=value (env files, shell, Dockerfile ENV, compose lists) or NAME: value (YAML)
    assignment = re.compile(rf"{PROCONNECT_SECRET}(?:[\"']?[ \t]*=[ \t]*(?P<eq>\S*)"
                            rf"|:[ \t]+(?P<colon>[^\n#]*))")
    found = 0
    for path in sorted(DOCKER.rglob("*")):
        # docker/.env is the deployment's real file, where the secret belongs (never committed)
        if not path.is_file() or path.name == ".env":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for m in assignment.finditer(text):
            found += 1
            value = (m["eq"] if m["eq"] is not None else m["colon"]).strip().strip("\"'")
            ref = REF.fullmatch(value)
            allowed = value == "" or (ref is not None and ref["name"] == PROCONNECT_SECRET and (
                not ref["arg"] or ref["op"] in (":?", "?")))
            assert allowed, f"{path.relative_to(ROOT)}: {m.group(0)!r}"
    assert found >= 2  # the check sees .env.example's line and the compose file's


def test_the_mapping_file_is_on_a_read_only_mount_of_every_portal_container():
    # every process of the portal (web and workers) reads the file when the plugin starts
    path = env_example()[env_variable("ckanext.internalportal.proconnect.mapping_file")]
    assert path.startswith("/"), path
    for name, service in portal_services().items():
        mounts = [str(m).split(":") for m in service.get("volumes") or []]
        holding = [m for m in mounts if len(m) == 3 and m[0].startswith("./") and m[2] == "ro"
                   and path.startswith(m[1].rstrip("/") + "/")]
        assert holding, f"{name}: no read-only bind mount holds {path}"


def test_the_redirect_uris_to_declare_at_proconnect_are_the_plugin_s_routes():
    views = (SUITE / "proconnect" / "views.py").read_text(encoding="utf-8")
    routes = set(re.findall(r"""@proconnect\.route\(["']([^"']+)["']""", views))
    for route in PROCONNECT_ROUTES:
        assert route in routes, f"proconnect/views.py has no route {route}"
        for doc in (ENV_EXAMPLE, DOCKER / "README.md"):
            assert route in doc.read_text(encoding="utf-8"), (
                f"{doc.relative_to(ROOT)} does not name {route}")


# ----------------------------------------------------------------------------- the image --

def test_the_image_is_built_from_the_official_ckan_2_12_base_image_pinned_by_tag():
    froms = [args.split() for instruction, args in dockerfile_instructions()
             if instruction == "FROM"]
    assert froms
    for args in froms:
        image = next(a for a in args if not a.startswith("--"))
        assert "$" not in image, image
        assert is_pinned(image), image
    # the portal's image is the last stage (the first builds the front-end files)
    base = next(a for a in froms[-1] if not a.startswith("--"))
    assert re.fullmatch(r"ckan/ckan-base:2\.12\.\d+(-py\d+\.\d+)?", base), base


def test_the_image_carries_the_dsfr_files_built_from_the_lock_file_not_node():
    """The DSFR's files come from npm with the lock file (scripts/assets.sh, as `make assets`)
    in a Node.js stage; the portal's image copies the files only."""
    instructions = dockerfile_instructions()
    froms = [args.split() for instruction, args in instructions if instruction == "FROM"]
    assert len(froms) == 2 and froms[0][0].startswith("node:") and froms[0][-1] == "assets"
    assert re.fullmatch(r"node:20\.\d+-bookworm-slim", froms[0][0]), froms[0]
    lines = [f"{i} {a}" for i, a in instructions]
    assets_stage = lines[:next(n for n, line in enumerate(lines[1:], 1)
                               if line.startswith("FROM "))]
    assert "COPY package.json package-lock.json .dsfr.yml ./" in assets_stage
    assert "RUN bash scripts/assets.sh" in assets_stage
    vendor = "ckanext/internalportal/public/internalportal/vendor"
    assert any(line.startswith("COPY --from=assets") and vendor in line for line in lines)
    # the files a checkout may hold are not those of the image: the stage builds them again
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    assert vendor in ignored and "node_modules" in ignored


def test_the_image_installs_the_pinned_extensions_and_this_package():
    requirements = {}
    for line in (DOCKER / "requirements-extensions.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            requirements[name.strip()] = version.strip()
    assert requirements == PINNED_EXTENSIONS
    runs = " ".join(args for instruction, args in dockerfile_instructions() if instruction == "RUN")
    assert "pip3 install -r ${APP_DIR}/requirements-extensions.txt" in runs
    assert "COPY . ${SRC_DIR}/ckanext-internalportal" in [
        f"{i} {a}" for i, a in dockerfile_instructions()]
    assert "pip3 install -e ${SRC_DIR}/ckanext-internalportal" in runs


MIGRATION_HOOK = DOCKER / "docker-entrypoint.d" / "50_internalportal_migrations.sh"
IMAGE_INI = "/srv/app/ckan.ini"
# stands for the image's `ckan`: records each call (one line, arguments tab-separated), then
# exits with FAKE_CKAN_RC
FAKE_CKAN = """#!/usr/bin/env bash
(IFS=$'\\t'; printf '%s\\n' "$*") >> "$FAKE_CKAN_LOG"
exit "${FAKE_CKAN_RC:-0}"
"""
AFTER_HOOK = "suite du démarrage"


def run_migration_hook(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess,
                                                             list[list[str]]]:
    """Source the hook as the base image's start_ckan.sh does, with the fake `ckan` first on
    PATH; return the shell's result and the `ckan` calls."""
    bash = shutil.which("bash")
    assert bash, "bash is needed (make and the project's scripts run it)"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ckan").write_text(FAKE_CKAN, encoding="utf-8")
    (bin_dir / "ckan").chmod(0o755)
    log = tmp_path / "ckan-calls"
    log.touch()
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CKAN_INI": IMAGE_INI,
                   "FAKE_CKAN_LOG": str(log), "CKAN__PLUGINS": env_example()["CKAN__PLUGINS"],
                   **env}
    result = subprocess.run([bash, "-c", f'. "$0"; echo "{AFTER_HOOK}"', str(MIGRATION_HOOK)],
                            env=environment, capture_output=True, text=True, timeout=30)
    calls = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    return result, calls


def ckan_db_command(args: list[str]):
    """(command, parameters) that CKAN's own `ckan db` group makes of these arguments."""
    db_cli = pytest.importorskip("ckan.cli.db")
    import click
    name, command, rest = db_cli.db.resolve_command(click.Context(db_cli.db), args)
    return command, command.make_context(name, rest).params


def test_the_web_container_runs_the_start_hooks():
    copies = [args for instruction, args in dockerfile_instructions() if instruction == "COPY"]
    assert any(c.endswith("docker/docker-entrypoint.d/ /docker-entrypoint.d/") for c in copies)
    assert MIGRATION_HOOK.exists()


@pytest.mark.parametrize("plugins", [
    env_example()["CKAN__PLUGINS"],
    # a plugin added to CKAN__PLUGINS after the image was built: nothing in the hook to edit
    "internalportal internalportal_sharing scheming_datasets dcat harvest activity envvars",
])
def test_at_start_the_web_container_migrates_core_and_every_enabled_plugin(tmp_path, plugins):
    result, calls = run_migration_hook(tmp_path, CKAN__PLUGINS=plugins)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(AFTER_HOOK)  # sourced: start_ckan.sh goes on
    assert len(calls) == 1, calls
    call = calls[0]
    assert call[:2] == ["-c", IMAGE_INI] and call[2] == "db", call
    command, params = ckan_db_command(call[3:])
    # `ckan db upgrade` with no -p, no --skip-*: CKAN migrates its core to head, then every
    # plugin of the ini's ckan.plugins that has pending migrations (ckan/cli/db.py)
    assert command.name == "upgrade"
    assert params["plugin"] is None
    assert params["skip_core"] is False and params["skip_plugins"] is False
    assert params["version"] == "head"


def test_a_replica_that_does_not_migrate_asks_ckan_nothing(tmp_path):
    result, calls = run_migration_hook(tmp_path, INTERNALPORTAL_RUN_MIGRATIONS="false")
    assert result.returncode == 0, result.stderr
    assert calls == []
    assert "migrations non exécutées" in result.stdout
    assert result.stdout.rstrip().endswith(AFTER_HOOK)


def test_a_failed_migration_stops_the_container_before_it_serves(tmp_path):
    result, calls = run_migration_hook(tmp_path, FAKE_CKAN_RC="1")
    assert len(calls) == 1
    assert result.returncode == 1
    assert AFTER_HOOK not in result.stdout
    assert "échec des migrations" in result.stderr


def test_every_file_the_dockerfile_copies_exists():
    for instruction, args in dockerfile_instructions():
        if instruction != "COPY" or "--from=" in args:  # another stage's files
            continue
        sources = [a for a in shlex.split(args) if not a.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the build context"


def test_the_docker_scripts_are_valid_shell_and_python():
    bash = shutil.which("bash")
    for path in docker_scripts():
        if path.suffix == ".py":
            compile(path.read_text(encoding="utf-8"), str(path), "exec")  # writes no .pyc
        elif bash:
            result = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
            assert result.returncode == 0, f"{path}: {result.stderr}"


def test_the_shipped_proconnect_mapping_file_is_valid_and_places_nobody():
    from ckanext.internalportal.proconnect import mapping
    shipped = mapping.load(Path(__file__).resolve().parents[2] / "docker" / "proconnect"
                           / "organisations.yaml")
    assert shipped.organizations == set()
