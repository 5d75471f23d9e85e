#!/usr/bin/env bash
# The load test, end to end: a fresh PostgreSQL database, gunicorn on loopback, locust for a
# fixed time, then the database checked against what was sent. See loadtest/README.md.
#
#   loadtest/run.sh                       # 50 operators + 20 officials for 2 minutes
#   LOADTEST_DURATION=20s loadtest/run.sh # a short trial
#
# Exits non-zero if any request failed or the database does not hold exactly what was saved.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LOADTEST_VENV:-$REPO/.venv}"
DB="${LOADTEST_DB:-ektp_load}"
PGHOST="${LOADTEST_PGHOST:-127.0.0.1}"
PGPORT="${LOADTEST_PGPORT:-5432}"
PGUSER="${LOADTEST_PGUSER:-postgres}"
PORT="${LOADTEST_PORT:-8077}"
export LOADTEST_DURATION="${LOADTEST_DURATION:-2m}"
# Outer bound of the whole locust run: logins, the measured window, the last saves finishing.
MAX_TIME="${LOADTEST_MAX_TIME:-10m}"
export LOADTEST_OPERATORS="${LOADTEST_OPERATORS:-50}"
export LOADTEST_OFFICIALS="${LOADTEST_OFFICIALS:-20}"
USERS=$((LOADTEST_OPERATORS + LOADTEST_OFFICIALS))
OUT="${LOADTEST_OUT:-$(mktemp -d /tmp/ektp-load.XXXXXX)}"

# The database is dropped and made again: never let a typo point this at a real one.
case "$DB" in
  ektp_load*) ;;
  *) echo "LOADTEST_DB must start with ektp_load (it is dropped): $DB" >&2; exit 2 ;;
esac
for tool in "$VENV/bin/python" "$VENV/bin/gunicorn" "$VENV/bin/locust"; do
  if [ ! -x "$tool" ]; then
    echo "$tool not found: python3 bootstrap.py, then $VENV/bin/pip install -e '.[load]'" \
      "(or set LOADTEST_VENV)" >&2
    exit 2
  fi
done
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "Something already listens on 127.0.0.1:$PORT; set LOADTEST_PORT." >&2
  exit 2
fi
PY="$VENV/bin/python"
mkdir -p "$OUT/results"
cd "$REPO"

# Production settings (DEBUG off, hashed static files, axes, CSP), except HTTPS: this runs on
# plain HTTP over loopback, so the redirect, the secure-only cookies and HSTS are turned off.
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export DEBUG=false
export SECRET_KEY="load-test-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0
export CONN_MAX_AGE="${CONN_MAX_AGE:-60}"
export STATIC_ROOT="$OUT/static"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
export LOADTEST_PLAN="$OUT/plan.json" LOADTEST_RESULTS="$OUT/results"

echo "== database $DB on $PGHOST:$PGPORT (output in $OUT)"
dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$DB"
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
"$PY" manage.py migrate -v0
"$PY" loadtest/seed.py "$LOADTEST_PLAN" | tail -n 1
"$PY" manage.py collectstatic --noinput -v0

GUNICORN_ARGS=(ektp_tracker.wsgi --bind "127.0.0.1:$PORT")
if "$VENV/bin/gunicorn" --help | grep -q -- --control-socket; then
  # Recent gunicorn (27) opens a control socket in ~/.gunicorn, shared by every gunicorn there.
  GUNICORN_ARGS+=(--control-socket "$OUT/gunicorn.ctl")
fi
if [ -f gunicorn.conf.py ]; then
  GUNICORN_ARGS+=(--config gunicorn.conf.py)
else
  GUNICORN_ARGS+=(--workers "$(($(nproc) * 2 + 1))" --access-logfile - \
    --access-logformat '%(h)s "%(r)s" %(s)s %(b)s %(M)sms')
fi
"$VENV/bin/gunicorn" "${GUNICORN_ARGS[@]}" >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null || true' EXIT
UP=no
for _ in $(seq 60); do
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/masuk/"; then UP=yes; break; fi
  sleep 0.5
done
if [ "$UP" != yes ]; then
  echo "gunicorn did not answer on 127.0.0.1:$PORT within 30 s:" >&2
  tail -n 40 "$OUT/gunicorn.log" >&2
  exit 1
fi
sleep 2  # the other workers finish booting
WORKERS=$(grep -c "Booting worker" "$OUT/gunicorn.log" || true)
echo "== gunicorn on 127.0.0.1:$PORT, $WORKERS workers; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== locust: $LOADTEST_OPERATORS operators + $LOADTEST_OFFICIALS officials for $LOADTEST_DURATION"
set +e
"$VENV/bin/locust" -f loadtest/locustfile.py --headless --only-summary \
  -u "$USERS" -r 10 -t "$MAX_TIME" --stop-timeout 60 \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" >"$OUT/locust.log" 2>&1
set -e
echo "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

kill -TERM "$GUNICORN_PID"
wait "$GUNICORN_PID" 2>/dev/null || true
trap - EXIT
SERVER_ERRORS=$(grep -cE '" 5[0-9][0-9] |Traceback' "$OUT/gunicorn.log" || true)
echo "== server errors (5xx or tracebacks) in $OUT/gunicorn.log: $SERVER_ERRORS"

STATUS=0
"$PY" loadtest/verify.py "$LOADTEST_PLAN" "$LOADTEST_RESULTS" "$OUT/locust" || STATUS=$?
if [ "$SERVER_ERRORS" != 0 ]; then
  grep -E -A30 'Traceback' "$OUT/gunicorn.log" | head -n 60
  STATUS=1
fi
echo "Output kept in $OUT (locust CSVs, gunicorn.log, plan.json, results/)."
exit "$STATUS"
