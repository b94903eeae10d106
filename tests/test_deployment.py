"""The production deployment files: docker-compose.yml, platform/* and .dockerignore.

None of these tests needs the database or a Docker engine. The compose file is validated
by the real tool when one is installed (``docker compose`` v2, else ``docker-compose``
1.29); without either the test skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import configparser
import fnmatch
import http.server
import os
import re
import runpy
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO / "platform"
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = PLATFORM / "Dockerfile"
ENTRYPOINT = PLATFORM / "entrypoint.sh"
ENV_EXAMPLE = PLATFORM / "env.example"
GUNICORN_CONF = PLATFORM / "gunicorn.conf.py"
MYSQL_CNF = PLATFORM / "mysql.cnf"

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The variables config/settings.py reads in production (the deployment contract).
SETTINGS_VARIABLES = (
    "TUNEBENCH_PROFILE",
    "TUNEBENCH_SECRET_KEY",
    "TUNEBENCH_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "TUNEBENCH_CACHE_URL",
    "TUNEBENCH_CSRF_TRUSTED_ORIGINS",
    "TUNEBENCH_VAR_DIR",
    "TUNEBENCH_SECURE_SSL_REDIRECT",
    "TUNEBENCH_LOG_LEVEL",
    "TUNEBENCH_WORKER_CONCURRENCY",
)
APP_SERVICES = ("migrate", "web", "worker", "worker-execute", "beat")
QUEUES = {"default", "score", "execute"}
VAR_DIR = "/var/lib/tunebench"

# ${NAME}, ${NAME-default} or ${NAME:-default}; "$${...}" is an escaped literal.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>\w+)(?:(?P<op>:?-)(?P<default>[^}]*))?\}")


def read_env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition("=")
        assert sep, f"env.example line {number} is not NAME=value: {line!r}"
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"env.example line {number}: {name!r}"
        assert name not in values, f"env.example sets {name} twice"
        values[name] = value
    return values


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def strings(node) -> list[str]:
    """Every string value in a parsed YAML document (comments are not values)."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def with_defaults(value: str) -> str:
    """What docker compose makes of ``value`` when no variable is set."""
    return INTERPOLATION.sub(lambda m: m.group("default") or "", str(value))


def as_argv(command: str | list[str]) -> list[str]:
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def flag_value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


# --- platform/ never shadows the standard library ----------------------------------------


def test_platform_folder_holds_no_python_package():
    assert PLATFORM.is_dir()
    assert sorted(p.relative_to(REPO).as_posix() for p in PLATFORM.rglob("__init__.py")) == []
    assert not (REPO / "platform.py").exists()


def test_import_platform_gives_the_standard_library_even_from_the_repo_root():
    code = (
        "import platform, sys, sysconfig\n"
        "assert sys.path[0] in ('', sys.argv[1]), sys.path[:2]\n"
        "print(platform.__file__)\n"
        "print(sysconfig.get_path('stdlib'))\n"
        "print(platform.system())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(REPO)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    module_file, stdlib, system = result.stdout.splitlines()
    assert Path(module_file).resolve().parent == Path(stdlib).resolve()
    assert system  # "Linux", "Darwin", ...


# --- docker-compose.yml, validated by the real tool --------------------------------------


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def run_compose(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    command = compose_command()
    if command is None:
        reason = "neither `docker compose` (v2 plugin) nor `docker-compose` (1.29) is installed"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the compose file must be validated)")
        pytest.skip(reason)
    # Only the given env file may feed the substitution: drop what the shell would add.
    overridden = set(read_env_example())
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in overridden and not key.startswith("COMPOSE_")
    }
    return subprocess.run(
        [*command, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_validates_with_the_defaults(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_compose(empty, "config", "-q")
    assert result.returncode == 0, result.stderr


def published_ports(service: dict) -> list[str]:
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, dict):  # Compose v2 prints the long syntax
            ports.append(f"{port.get('host_ip', '')}:{port.get('published')}:{port['target']}")
        else:
            ports.append(str(port).removesuffix("/tcp"))
    return ports


def test_values_from_dot_env_reach_the_containers(tmp_path):
    """The documented flow: a copy of env.example with real values, read as .env."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    changes = {
        "MYSQL_PASSWORD": "0123456789abcdef",
        "TUNEBENCH_SECRET_KEY": "k" * 20 + "-not-the-placeholder-" + "q" * 20,
        "TUNEBENCH_LOG_LEVEL": "DEBUG",
        "TUNEBENCH_HTTP_PORT": "8080",
    }
    edited = [
        f"{line.partition('=')[0]}={changes[line.partition('=')[0]]}"
        if line.partition("=")[0] in changes
        else line
        for line in lines
    ]
    dot_env = tmp_path / ".env"
    dot_env.write_text("\n".join(edited) + "\n")

    result = run_compose(dot_env, "config")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "mysql://tunebench:0123456789abcdef@mysql:3306/tunebench"
        assert env["TUNEBENCH_SECRET_KEY"] == changes["TUNEBENCH_SECRET_KEY"]
        assert env["TUNEBENCH_LOG_LEVEL"] == "DEBUG"
        assert env["TUNEBENCH_PROFILE"] == "production"
    assert services["mysql"]["environment"]["MYSQL_PASSWORD"] == "0123456789abcdef"
    assert published_ports(services["web"]) == ["127.0.0.1:8080:8000"]
    assert services["worker"]["environment"]["REMAP_SIGTERM"] == "SIGQUIT"
    assert "REMAP_SIGTERM" not in services["web"]["environment"]


# --- docker-compose.yml, its structure ----------------------------------------------------


def test_redis_is_durable_and_never_evicts_queued_jobs():
    redis = load_compose()["services"]["redis"]
    assert redis["image"] == "redis:7"
    argv = as_argv(redis["command"])
    assert argv[0] == "redis-server"
    assert flag_value(argv, "--appendonly") == "yes"
    assert flag_value(argv, "--appendfsync") == "everysec"
    assert flag_value(argv, "--maxmemory-policy") == "noeviction"
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert "redis-cli ping" in " ".join(as_argv(redis["healthcheck"]["test"]))


def test_mysql_is_8_4_with_the_durable_config_mounted():
    mysql = load_compose()["services"]["mysql"]
    assert mysql["image"] == "mysql:8.4"
    assert "./platform/mysql.cnf:/etc/mysql/conf.d/tunebench.cnf:ro" in mysql["volumes"]
    assert any(v.endswith(":/var/lib/mysql") for v in mysql["volumes"])
    assert "mysqladmin ping" in " ".join(as_argv(mysql["healthcheck"]["test"]))
    assert mysql["environment"]["MYSQL_DATABASE"] == "tunebench"
    assert mysql["environment"]["MYSQL_USER"] == "tunebench"


def test_mysql_cnf_sets_strict_utf8mb4_read_committed_and_durable_commits():
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.read_string(MYSQL_CNF.read_text())
    server = {key.replace("-", "_"): value.strip('"') for key, value in parser["mysqld"].items()}
    assert server["character_set_server"] == "utf8mb4"
    assert server["collation_server"].startswith("utf8mb4_")
    assert "STRICT_TRANS_TABLES" in server["sql_mode"].split(",")
    assert server["transaction_isolation"] == "READ-COMMITTED"
    assert server["innodb_flush_log_at_trx_commit"] == "1"
    assert server["sync_binlog"] == "1"
    assert not MYSQL_CNF.stat().st_mode & 0o002, "MySQL ignores a world-writable option file"


def test_every_app_service_is_built_from_platform_dockerfile():
    services = load_compose()["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == {"context": ".", "dockerfile": "platform/Dockerfile"}, name
        assert service["env_file"] == ["platform/env.example"], name
        assert f"media:{VAR_DIR}" in service["volumes"], name
        assert service["environment"]["TUNEBENCH_VAR_DIR"] == VAR_DIR, name
    assert set(load_compose()["volumes"]) >= {"media", "mysql-data", "redis-data"}


def test_app_services_wait_for_healthy_backends_and_the_migration():
    services = load_compose()["services"]
    migrate = services["migrate"]
    assert as_argv(migrate["command"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"mysql": {"condition": "service_healthy"}}
    for name in ("web", "worker", "worker-execute", "beat"):
        assert services[name]["depends_on"] == {
            "mysql": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name


def command_argv(service: dict) -> list[str]:
    """The service's command as argv, looking through ``sh -c "exec ..."``."""
    argv = as_argv(service.get("command", []))
    if argv[:2] == ["sh", "-c"]:
        argv = argv[2].split()
    return argv[1:] if argv[:1] == ["exec"] else argv


def celery_queues(service: dict) -> set[str]:
    argv = command_argv(service)
    assert argv[:4] == ["celery", "-A", "config", "worker"]
    return set(flag_value(argv, "-Q").split(","))


def test_workers_cover_every_queue_and_beat_runs_once():
    services = load_compose()["services"]
    assert celery_queues(services["worker"]) == {"default", "score"}
    assert celery_queues(services["worker-execute"]) == {"execute"}
    assert flag_value(command_argv(services["worker-execute"]), "--concurrency") == "1"
    concurrency = flag_value(command_argv(services["worker"]), "--concurrency")
    assert concurrency == '"$${TUNEBENCH_WORKER_CONCURRENCY:-2}"'  # the container's value

    workers = [s for s in services.values() if command_argv(s)[3:4] == ["worker"]]
    assert len(workers) == 2
    assert set().union(*(celery_queues(s) for s in workers)) == QUEUES

    beats = [
        n for n, s in services.items() if command_argv(s)[:4] == ["celery", "-A", "config", "beat"]
    ]
    assert beats == ["beat"]
    assert flag_value(command_argv(services["beat"]), "-s") == f"{VAR_DIR}/celerybeat-schedule"


def test_web_runs_gunicorn_publishes_8000_and_has_a_healthcheck():
    web = load_compose()["services"]["web"]
    argv = as_argv(web["command"])
    assert argv[0] == "gunicorn"
    assert flag_value(argv, "-c") == "platform/gunicorn.conf.py"
    assert "config.wsgi:application" in argv
    assert [with_defaults(p) for p in web["ports"]] == ["127.0.0.1:8000:8000"]
    health = web["healthcheck"]
    assert as_argv(health["test"]) == ["CMD", "/app/platform/entrypoint.sh", "healthcheck"]
    assert "/api/v1/health/" in ENTRYPOINT.read_text()
    assert {"interval", "timeout", "retries", "start_period"} <= set(health)


def test_compose_defaults_match_env_example():
    """With no .env, the stack runs on env.example's values; with one, .env wins."""
    example = read_env_example()
    matches = [m for text in strings(load_compose()) for m in INTERPOLATION.finditer(text)]
    for match in matches:
        name = match.group("name")
        assert name in example, f"${{{name}}} is not documented in platform/env.example"
        assert match.group("op") == ":-", f"${{{name}}} needs a :- default"
        assert match.group("default") == example[name], f"default of {name} differs"

    app_env = {k: with_defaults(v) for k, v in load_compose()["x-app"]["environment"].items()}
    for name, value in app_env.items():
        if name in example:
            assert value == example[name], (
                f"{name}: compose {value!r}, env.example {example[name]!r}"
            )
    interpolated = {m.group("name") for m in matches}
    unused = set(example) - set(app_env) - interpolated - {"COMPOSE_PROJECT_NAME"}
    assert unused == set(), "set in .env but never passed on by docker-compose.yml"


# --- platform/env.example -----------------------------------------------------------------


def test_env_example_documents_every_setting():
    example = read_env_example()
    lines = ENV_EXAMPLE.read_text().splitlines()
    for name in SETTINGS_VARIABLES:
        assert name in example, f"{name} missing from platform/env.example"
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
        assert lines[index - 1].startswith("#"), f"{name} needs a comment line above it"


def test_env_example_values_are_plain_and_production_shaped():
    example = read_env_example()
    for name, value in example.items():
        assert "$" not in value, f"{name}: Compose v2 would expand '$'"
        assert not value.startswith(("'", '"')), f"{name}: quotes would be kept literally"
    assert example["TUNEBENCH_PROFILE"] == "production"
    assert example["TUNEBENCH_SECRET_KEY"].startswith("change-me")
    assert example["MYSQL_PASSWORD"].startswith("change-me")
    assert example["MYSQL_ROOT_PASSWORD"].startswith("change-me")
    database = urlsplit(example["DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("mysql", "mysql", 3306)
    assert database.password == example["MYSQL_PASSWORD"]
    broker = urlsplit(example["CELERY_BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port, broker.path) == (
        "redis",
        "redis",
        6379,
        "/0",
    )
    assert example["TUNEBENCH_VAR_DIR"] == VAR_DIR
    assert example["TUNEBENCH_WORKER_CONCURRENCY"].isdigit()


# --- platform/gunicorn.conf.py ------------------------------------------------------------


def load_gunicorn_conf() -> dict:
    """Run the file as gunicorn does and validate every value with gunicorn's own Config."""
    from gunicorn.config import Config

    namespace = runpy.run_path(str(GUNICORN_CONF), run_name="gunicorn_conf")
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return namespace


@pytest.fixture
def gunicorn_env(monkeypatch):
    for name in (
        "GUNICORN_WORKERS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_FORWARDED_ALLOW_IPS",
        "TUNEBENCH_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_gunicorn_defaults(gunicorn_env):
    conf = load_gunicorn_conf()
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["wsgi_app"] == "config.wsgi:application"
    assert 3 <= conf["workers"] <= conf["MAX_AUTO_WORKERS"]
    assert conf["timeout"] == 60
    assert conf["graceful_timeout"] < 40  # docker-compose.yml: stop_grace_period 40s
    assert conf["accesslog"] == "-"
    assert conf["errorlog"] == "-"
    assert conf["loglevel"] == "info"
    assert conf["forwarded_allow_ips"] == "*"


def test_gunicorn_reads_the_environment(gunicorn_env):
    gunicorn_env.setenv("GUNICORN_WORKERS", "3")
    gunicorn_env.setenv("GUNICORN_TIMEOUT", "120")
    gunicorn_env.setenv("GUNICORN_FORWARDED_ALLOW_IPS", "10.0.0.5, 172.16.0.0/12")
    gunicorn_env.setenv("TUNEBENCH_LOG_LEVEL", "WARN")
    conf = load_gunicorn_conf()
    assert conf["workers"] == 3
    assert conf["timeout"] == 120
    assert conf["forwarded_allow_ips"] == "10.0.0.5,172.16.0.0/12,127.0.0.1,::1"
    assert conf["loglevel"] == "warning"


@pytest.mark.parametrize("workers", ["0", "many"])
def test_gunicorn_refuses_a_bad_worker_count(gunicorn_env, workers):
    gunicorn_env.setenv("GUNICORN_WORKERS", workers)
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        load_gunicorn_conf()


# --- platform/entrypoint.sh ---------------------------------------------------------------


def run_entrypoint(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the entrypoint with a clean environment plus ``env``, python = this python."""
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_entrypoint_is_an_executable_posix_script():
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    assert b"\r\n" not in ENTRYPOINT.read_bytes()
    assert subprocess.run(["sh", "-n", str(ENTRYPOINT)], check=False).returncode == 0
    assert 'exec "$@"' in ENTRYPOINT.read_text()


def test_entrypoint_refuses_the_placeholder_secrets():
    example = read_env_example()
    secret = run_entrypoint(
        "true",
        TUNEBENCH_PROFILE="production",
        TUNEBENCH_SECRET_KEY=example["TUNEBENCH_SECRET_KEY"],
        DATABASE_URL="mysql://tunebench:real@mysql:3306/tunebench",
    )
    assert secret.returncode != 0
    assert "TUNEBENCH_SECRET_KEY" in secret.stderr

    password = run_entrypoint(
        "true",
        TUNEBENCH_PROFILE="production",
        TUNEBENCH_SECRET_KEY="x" * 64,
        DATABASE_URL=example["DATABASE_URL"],
    )
    assert password.returncode != 0
    assert "MYSQL_PASSWORD" in password.stderr


def test_entrypoint_execs_the_command_once_the_database_answers(tmp_path):
    # Embedded settings on a throwaway SQLite database: the check passes at once.
    result = run_entrypoint(
        "echo", "started", TUNEBENCH_VAR_DIR=str(tmp_path), TUNEBENCH_DB_WAIT_SECONDS="20"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_entrypoint_fails_fast_on_a_settings_error(tmp_path):
    result = run_entrypoint(
        "echo",
        "started",
        TUNEBENCH_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://nobody@nowhere/db",
        TUNEBENCH_DB_WAIT_SECONDS="600",
    )
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "settings are incomplete or wrong" in result.stderr


def test_entrypoint_skips_the_wait_when_told():
    result = run_entrypoint("echo", "started", TUNEBENCH_DB_WAIT_SECONDS="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


@pytest.fixture
def health_server():
    """A stand-in for gunicorn: answers /api/v1/health/ with ``server.status``."""
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            self.send_response(server.status)
            if server.status in {301, 302}:
                self.send_header("Location", "https://elsewhere.invalid/api/v1/health/")
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.seen = seen
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (301, False), (503, False)])
def test_entrypoint_healthcheck(health_server, status, healthy):
    health_server.status = status
    result = run_entrypoint(
        "healthcheck",
        TUNEBENCH_HEALTHCHECK_PORT=str(health_server.server_address[1]),
        TUNEBENCH_ALLOWED_HOSTS=".tunebench.example.org,localhost",
    )
    assert (result.returncode == 0) is healthy, result.stderr
    request = health_server.seen[-1]
    assert request["path"] == "/api/v1/health/"
    assert request["host"] == "tunebench.example.org"
    assert request["x-forwarded-proto"] == "https"


def test_entrypoint_healthcheck_fails_when_nothing_listens(health_server):
    port = health_server.server_address[1]
    health_server.shutdown()
    health_server.server_close()
    result = run_entrypoint("healthcheck", TUNEBENCH_HEALTHCHECK_PORT=str(port))
    assert result.returncode != 0


# --- platform/Dockerfile and .dockerignore ------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined, as docker reads them."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # docker drops comments and blank lines, inside continuations too
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        pending = ""
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def stages() -> dict[str, list[tuple[str, str]]]:
    result: dict[str, list[tuple[str, str]]] = {}
    current = None
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            current = arguments.split(" AS ")[-1].strip()
            result[current] = []
        if current is not None:
            result[current].append((keyword, arguments))
    return result


def test_dockerfile_is_a_two_stage_slim_build():
    instructions = dockerfile_instructions()
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim-bookworm") in instructions
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]
    builder, runtime = stages()["builder"], stages()["runtime"]

    builder_runs = " ".join(args for keyword, args in builder if keyword == "RUN")
    for package in ("pkg-config", "default-libmysqlclient-dev", "build-essential"):
        assert package in builder_runs
    assert 'pip install -e ".[mysql]" -e ./client' in builder_runs
    assert "collectstatic --noinput" in builder_runs
    assert "TUNEBENCH_STATIC_ROOT=/app/staticfiles" in builder_runs

    runtime_runs = " ".join(args for keyword, args in runtime if keyword == "RUN")
    assert "libmariadb3" in runtime_runs
    assert "build-essential" not in runtime_runs
    assert "useradd" in runtime_runs

    for stage in (builder, runtime):
        env = " ".join(args for keyword, args in stage if keyword == "ENV")
        assert "PYTHONDONTWRITEBYTECODE=1" in env
        assert "PYTHONUNBUFFERED=1" in env
    builder_env = " ".join(args for keyword, args in builder if keyword == "ENV")
    assert "TUNEBENCH_PROFILE" not in builder_env  # only on the collectstatic line
    runtime_env = " ".join(args for keyword, args in runtime if keyword == "ENV")
    assert "TUNEBENCH_STATIC_ROOT=/app/staticfiles" in runtime_env
    assert f"TUNEBENCH_VAR_DIR={VAR_DIR}" in runtime_env

    keywords = [keyword for keyword, _ in runtime]
    assert ("USER", "tunebench") in runtime
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "COPY")
    assert ("ENTRYPOINT", '["/app/platform/entrypoint.sh"]') in runtime
    assert ("EXPOSE", "8000") in runtime


def test_dockerfile_builds_without_buildkit():
    """docker-compose 1.29 builds with the classic builder: no RUN --mount, no heredocs."""
    for keyword, arguments in dockerfile_instructions():
        if keyword == "RUN":
            assert "--mount" not in arguments
            assert "<<" not in arguments


def test_dockerfile_dependency_list_matches_pyproject():
    run = next(args for keyword, args in dockerfile_instructions() if "tomllib" in args)
    code = re.search(r'python -c "(?P<code>.*?)"\s*>', run).group("code")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    requirements = result.stdout.splitlines()
    names = {re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0].lower() for line in requirements}
    assert {"django", "gunicorn", "whitenoise", "celery", "mysqlclient", "requests"} <= names


def test_dockerfile_collectstatic_step_produces_the_whitenoise_manifest(tmp_path):
    """The build's collectstatic line, run here with /app and /tmp swapped for tmp_path.

    It must load the settings with only what the line itself provides, and write the
    staticfiles.json manifest that the production storage needs to serve anything.
    """
    run = next(args for keyword, args in dockerfile_instructions() if "collectstatic" in args)
    static_root, build_var = tmp_path / "staticfiles", tmp_path / "build-var"
    command = run.replace("/app/staticfiles", str(static_root)).replace(
        "/tmp/build-var", str(build_var)
    )
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (static_root / "staticfiles.json").is_file()
    assert not build_var.exists()


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".env", ".git", ".venv", "var"):
        assert required in patterns

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern.removeprefix("**/")) for pattern in patterns)

    for needed in (
        "pyproject.toml",
        "README.md",
        "manage.py",
        "config",
        "client/pyproject.toml",
        "client/src",
        "platform/entrypoint.sh",
        "platform/gunicorn.conf.py",
    ):
        assert not ignored(needed), f".dockerignore drops {needed}, which the build needs"


# --- docs/deployment.md -------------------------------------------------------------------


def test_deployment_guide_covers_the_operator_commands():
    guide = (REPO / "docs" / "deployment.md").read_text()
    for command in (
        "cp platform/env.example .env",
        "docker compose up --build",
        "python manage.py create_api_key",
        "--create-user",
        "python manage.py ping_workers --wait 30",
        "--scale worker",
        "appendfsync",
        "innodb_flush_log_at_trx_commit",
    ):
        assert command in guide, f"docs/deployment.md does not mention {command!r}"
