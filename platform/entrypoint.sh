#!/bin/sh
# Entrypoint of the Tunebench image, for every app process (migrate, web, workers, beat).
#
#   entrypoint.sh COMMAND [ARGS...]
#       Refuses the placeholder secrets of platform/env.example, waits until the database
#       answers (python manage.py check --database default, retried for
#       TUNEBENCH_DB_WAIT_SECONDS, default 60; 0 skips the wait), then execs COMMAND so it
#       receives the container's signals directly.
#
#   entrypoint.sh healthcheck
#       The web container's health check: GET /api/v1/health/ from the local gunicorn
#       (127.0.0.1, port TUNEBENCH_HEALTHCHECK_PORT, default 8000), healthy on 200; the
#       endpoint answers 200 when the database does.
set -eu

die() {
    echo "entrypoint: $*" >&2
    exit 1
}

healthcheck() {
    # http.client rather than urllib.request: a redirect must count as a failure, not be
    # followed. The Host header is the first allowed host, so Django accepts the request.
    exec python - <<'PY'
import http.client
import os
import sys

hosts = [h.strip() for h in os.environ.get("TUNEBENCH_ALLOWED_HOSTS", "").split(",")]
host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
port = int(os.environ.get("TUNEBENCH_HEALTHCHECK_PORT") or 8000)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
try:
    conn.request(
        "GET",
        "/api/v1/health/",
        headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": "application/json"},
    )
    response = conn.getresponse()
    body = response.read(300)
except OSError as exc:
    sys.exit(f"healthcheck: {exc}")
if response.status != 200:
    sys.exit(f"healthcheck: HTTP {response.status}: {body!r}")
PY
}

refuse_placeholders() {
    [ "${TUNEBENCH_PROFILE:-}" = "production" ] || return 0
    case "${TUNEBENCH_SECRET_KEY:-}" in
        change-me*)
            die "TUNEBENCH_SECRET_KEY is still the placeholder from platform/env.example." \
                "Copy platform/env.example to .env and set it (docs/deployment.md)." ;;
    esac
    case "${DATABASE_URL:-}" in
        *change-me*)
            die "the database password is still the placeholder from platform/env.example." \
                "Set MYSQL_PASSWORD and MYSQL_ROOT_PASSWORD in .env (docs/deployment.md)." ;;
    esac
}

wait_for_database() {
    wait_s="${TUNEBENCH_DB_WAIT_SECONDS:-60}"
    case "$wait_s" in
        '' | *[!0-9]*) die "TUNEBENCH_DB_WAIT_SECONDS must be a whole number, not '$wait_s'." ;;
    esac
    [ "$wait_s" -gt 0 ] || return 0
    deadline=$(($(date +%s) + wait_s))
    while ! output=$(python manage.py check --database default 2>&1); do
        case "$output" in
            *ImproperlyConfigured*)  # a settings error does not go away by waiting
                printf '%s\n' "$output" >&2
                die "the settings are incomplete or wrong (see the error above and platform/env.example)." ;;
        esac
        if [ "$(date +%s)" -ge "$deadline" ]; then
            printf '%s\n' "$output" >&2
            die "'python manage.py check --database default' still fails after ${wait_s}s" \
                "(its output is above)."
        fi
        sleep 2
    done
}

if [ "$#" -eq 0 ]; then
    die "no command given (the image's default is gunicorn; see platform/Dockerfile)."
fi

if [ "$1" = "healthcheck" ]; then
    healthcheck
fi

refuse_placeholders
wait_for_database
exec "$@"
