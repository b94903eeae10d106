"""gunicorn settings for the Tunebench web container.

Loaded by path: ``gunicorn -c platform/gunicorn.conf.py config.wsgi:application``. Never
imported as a module: ``platform/`` is deliberately not a package (a package called
``platform`` would shadow the standard library module).

Every knob reads the environment (documented in platform/env.example):
GUNICORN_WORKERS, GUNICORN_TIMEOUT, GUNICORN_FORWARDED_ALLOW_IPS, TUNEBENCH_LOG_LEVEL.
"""

import os

MAX_AUTO_WORKERS = 8
_LOCAL_PEERS = ("127.0.0.1", "::1")
_LOG_LEVELS = {"debug", "info", "warning", "error", "critical"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"gunicorn.conf.py: {name} must be at least 1, not {value}")
    return value


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may run on
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _forwarded_allow_ips() -> str:
    raw = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "").strip() or "*"
    if raw == "*":
        return raw
    peers = [peer.strip() for peer in raw.split(",") if peer.strip()]
    # The container health check talks to 127.0.0.1 and says X-Forwarded-Proto: https.
    peers += [peer for peer in _LOCAL_PEERS if peer not in peers]
    return ",".join(peers)


def _log_level() -> str:
    level = os.environ.get("TUNEBENCH_LOG_LEVEL", "info").strip().lower()
    level = {"warn": "warning", "fatal": "critical"}.get(level, level)
    return level if level in _LOG_LEVELS else "info"


wsgi_app = "config.wsgi:application"
bind = ["0.0.0.0:8000"]  # inside the container; docker-compose.yml decides what is published

# Sync workers: one request at a time each, which suits a buffering reverse proxy in front.
workers = _env_int("GUNICORN_WORKERS", min(2 * _cpu_count() + 1, MAX_AUTO_WORKERS))
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30  # docker-compose.yml gives the container 40 s to stop
keepalive = 5  # a little longer than the proxy's idle reuse, avoids reset connections

# Recycle workers now and then so a slow leak cannot grow without bound; the jitter keeps
# them from all restarting at once.
max_requests = 1000
max_requests_jitter = 100

# The worker heartbeat file lives in memory, not on the container's overlay filesystem,
# where a slow disk could make gunicorn think a healthy worker is stuck.
_SHM = "/dev/shm"  # noqa: S108 -- a RAM filesystem, used only for gunicorn's own files
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# Trust X-Forwarded-Proto/-For from these peers (see platform/env.example).
forwarded_allow_ips = _forwarded_allow_ips()

# Logs go to the container's stdout/stderr, where docker collects them.
accesslog = "-"
errorlog = "-"
loglevel = _log_level()
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
)


def post_worker_init(worker):
    """Build the estimator registry (it imports scikit-learn, about a second) before the
    worker serves, so no submission pays for it (bench/execute.py found the first one on
    each worker took 1.1-1.3 s)."""
    from tunebench.engine.registry import list_estimators

    list_estimators()
