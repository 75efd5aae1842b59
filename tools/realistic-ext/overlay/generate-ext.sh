#!/usr/bin/env bash
# Generates the "ext" suite: app servers written with the libraries the kit's own clients
# do not use (PHP Guzzle + Monolog, Python requests + structlog / loguru, Ruby Faraday +
# Logger, Go net/http + log / zap), against the same fake Easemob and the same plan.
#
#   SEED=7 bash generate-ext.sh                       # all six ext clients
#   SEED=7 CLIENTS="python-requests-loguru" bash generate-ext.sh
#   OUT=/some/dir SEED=31337 bash generate-ext.sh
#
# Writes OUT/logs/<client>.log, OUT/truth/<client>.json, OUT/coverage.md (OUT defaults to
# out-ext/).  Needs the Debian packages php-cli php-curl php-guzzlehttp-guzzle php-monolog
# python3-requests python3-structlog python3-loguru ruby ruby-faraday golang-go
# golang-go.uber-zap-dev; /usr/bin/python3 is used for the Python clients (Debian's
# python3-* packages are installed for it).
set -euo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
cd "$KIT"
SEED="${SEED:-20240611}"
OUT="${OUT:-$KIT/out-ext}"
JOBS="${JOBS:-3}"
TIMEOUT_MS="${TIMEOUT_MS:-800}"
ALL_CLIENTS=(php-guzzle-monolog php-guzzle-laravel python-requests-structlog python-requests-structlog-json python-requests-loguru ruby-faraday-logger go-nethttp-log go-nethttp-zap)
read -r -a RUN <<<"${CLIENTS:-${ALL_CLIENTS[*]}}"
T0=$(date +%s.%N)
export TZ=UTC

fail() { echo "generate-ext.sh: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node (20) is required"
PY=/usr/bin/python3
need_go=0
for name in "${RUN[@]}"; do
  case "$name" in
    php-*) command -v php >/dev/null || fail "php is required: apt-get install -y php-cli php-curl php-guzzlehttp-guzzle php-monolog"
           php -r 'exit(extension_loaded("curl") ? 0 : 1);' || fail "php's curl extension is required (Guzzle's CurlHandler): apt-get install -y php-curl"
           [ -f /usr/share/php/GuzzleHttp/autoload.php ] && [ -f /usr/share/php/Monolog/autoload.php ] || fail "apt-get install -y php-guzzlehttp-guzzle php-monolog" ;;
    python-*) "$PY" -c 'import requests, structlog, loguru' 2>/dev/null || fail "apt-get install -y python3-requests python3-structlog python3-loguru" ;;
    ruby-*) ruby -e 'require "faraday"' 2>/dev/null || fail "apt-get install -y ruby ruby-faraday" ;;
    go-*) command -v go >/dev/null && [ -d /usr/share/gocode/src/go.uber.org/zap ] || fail "apt-get install -y golang-go golang-go.uber-zap-dev"; need_go=1 ;;
    *) fail "unknown ext client $name (one of: ${ALL_CLIENTS[*]})" ;;
  esac
done
[ -d node_modules/pino ] || npm ci --no-audit --no-fund >/dev/null || fail "npm ci failed"

STARTED=()
stop_all() {
  local p
  for p in "${STARTED[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${STARTED[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  STARTED=()
}
trap stop_all EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {
  local what="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out waiting for $what"
}

rm -rf "$OUT"
mkdir -p "$OUT"/logs "$OUT"/truth "$OUT"/plans "$OUT"/manifest "$OUT"/run/bin

# 1. the scenario (the same plan.mjs as the kit: same seed -> same plan for every client)
node scenario/plan.mjs --seed "$SEED" --out "$OUT/plans"

# 2. Go clients build (GOPATH mode against Debian's /usr/share/gocode: no network)
GO_PID=
if [ "$need_go" = 1 ]; then
  # the clients' own packages live under gopher-im/ in a GOPATH of their own; -trimpath as a release build
  mkdir -p "$OUT/run/gopath/src" && ln -s "$KIT/clients/go-ext" "$OUT/run/gopath/src/gopher-im"
  ( export GO111MODULE=off GOPATH="$OUT/run/gopath:/usr/share/gocode" GOCACHE="${GOCACHE_DIR:-$KIT/.gocache}" GOFLAGS=
    go build -trimpath -o "$OUT/run/bin/go-nethttp-log" gopher-im/stdlog &&
    go build -trimpath -o "$OUT/run/bin/go-nethttp-zap" gopher-im/zapapp ) >"$OUT/run/go-build.out" 2>&1 &
  GO_PID=$!
fi

# 3. fake Easemob (+ third-party APIs)
node fake-easemob/server.mjs --answers "$OUT/plans/answers.json" --port-file "$OUT/run/ports.json" \
  --request-log "$OUT/run/fake-requests.jsonl" >"$OUT/run/fake-easemob.out" 2>&1 &
STARTED+=($!)
wait_for "fake-easemob" test -s "$OUT/run/ports.json"
read -r EASEMOB_PORT OTHER_PORT < <("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["easemob"], d["other"])' "$OUT/run/ports.json")
DEAD_PORT=$(free_port)   # nothing listens here: connection refused
"$PY" scenario/blackhole.py "$OUT/run/blackhole.port" >"$OUT/run/blackhole.out" 2>&1 &
STARTED+=($!)
wait_for "blackhole" test -s "$OUT/run/blackhole.port"
BLACKHOLE_PORT=$(cat "$OUT/run/blackhole.port")   # never completes a handshake: connect time-out
if [ -n "$GO_PID" ]; then wait "$GO_PID" || { cat "$OUT/run/go-build.out" >&2; fail "go build failed"; }; fi

# 4. the app servers
ENVS="EASEMOB_BASE=http://127.0.0.1:$EASEMOB_PORT OTHER_BASE=http://127.0.0.1:$OTHER_PORT DEAD_BASE=http://127.0.0.1:$DEAD_PORT BLACKHOLE_BASE=http://127.0.0.1:$BLACKHOLE_PORT TIMEOUT_MS=$TIMEOUT_MS"
declare -A CMD=(
  [php-guzzle-monolog]="php -d display_errors=stderr $KIT/clients/php-ext/app.php"
  [php-guzzle-laravel]="env PHP_LOG_STYLE=laravel php -d display_errors=stderr $KIT/clients/php-ext/app.php"
  [python-requests-structlog]="$PY $KIT/clients/python-ext/structlog_app.py"
  [python-requests-structlog-json]="$PY $KIT/clients/python-ext/structlog_json_app.py"
  [python-requests-loguru]="$PY $KIT/clients/python-ext/loguru_app.py"
  [ruby-faraday-logger]="ruby $KIT/clients/ruby-ext/app.rb"
  [go-nethttp-log]="$OUT/run/bin/go-nethttp-log"
  [go-nethttp-zap]="$OUT/run/bin/go-nethttp-zap"
)
run_client() {
  local name="$1" rc=0
  env $ENVS PLAN="$OUT/plans/$name.jsonl" LOG="$OUT/logs/$name.log" MANIFEST="$OUT/manifest/$name.jsonl" ${CMD[$name]} >"$OUT/run/$name.out" 2>&1 || rc=$?
  echo "$rc" >"$OUT/run/$name.rc"
}
running=0
CLIENT_PIDS=()
for name in "${RUN[@]}"; do
  run_client "$name" &
  CLIENT_PIDS+=($!)
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n "${CLIENT_PIDS[@]}" 2>/dev/null || true; running=$((running - 1)); fi
done
for p in "${CLIENT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
FAILED=()
for name in "${RUN[@]}"; do
  if [ "$(cat "$OUT/run/$name.rc" 2>/dev/null)" != "0" ] || [ ! -s "$OUT/manifest/$name.jsonl" ]; then FAILED+=("$name"); fi
done
if [ "${#FAILED[@]}" -gt 0 ]; then
  for name in "${FAILED[@]}"; do echo "--- $name output:" >&2; tail -20 "$OUT/run/$name.out" >&2 || true; done
  fail "client(s) failed: ${FAILED[*]}"
fi
stop_all

# 5. the truth
MIN=3; [ "${#RUN[@]}" -lt 3 ] && MIN=1
node scenario/annotate.mjs --out "$OUT" --suite ext --clients "$(IFS=,; echo "${RUN[*]}")" --min-per-ref "$MIN"

# 6. real hosts (line numbers do not change, so the truth still holds)
"$PY" scenario/realhosts-ext.py "$OUT/logs" "$EASEMOB_PORT" "$OTHER_PORT" "$DEAD_PORT" "$BLACKHOLE_PORT"
T1=$(date +%s.%N)
"$PY" -c "import sys; print('generate-ext.sh: done in %.1f s (seed %s); logs in %s/logs, truth in %s/truth' % (float(sys.argv[2]) - float(sys.argv[1]), sys.argv[3], sys.argv[4], sys.argv[4]))" "$T0" "$T1" "$SEED" "$OUT"
