#!/usr/bin/env bash
# SDK conformance suite: real client libraries (Node and Python) and headless Chromium talk to
# the built auth0-emulator binary over HTTPS, trusting nothing but the CA the emulator made.
#
#   tests/sdk/run.sh                    build the binary, install deps, run every suite
#   EMULATOR_BIN=path tests/sdk/run.sh  use an already built binary
#   tests/sdk/run.sh node/authn-openid-client.test.mjs python/test_authn.py
#                                       run only these suites (paths relative to tests/sdk/)
#
# Project-local deps are installed here (npm ci, a venv). System packages (chromium,
# libnss3-tools) are scripts/test.sh's job; without them the browser test fails and says so.
set -euo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SDK_DIR/../.." && pwd)"
NODE_DIR="$SDK_DIR/node"
PY_DIR="$SDK_DIR/python"
VENV="$PY_DIR/.venv"
READY_TIMEOUT_SECS=30
STOP_TIMEOUT_SECS=10

log() { printf '[sdk] %s\n' "$*" >&2; }
die() { printf '[sdk] error: %s\n' "$*" >&2; exit 1; }

for tool in node npm python3; do
  command -v "$tool" >/dev/null || die "'$tool' not found: install Node.js 20+ (with npm) and Python 3.11+"
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "Node.js 20+ is required, found $(node --version)"

# --- the binary --------------------------------------------------------------------------
if [[ -z "${EMULATOR_BIN:-}" ]]; then
  log "building auth0-emulator (cargo build --bin auth0-emulator)"
  (cd "$REPO_ROOT" && cargo build --quiet --bin auth0-emulator)
  EMULATOR_BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/auth0-emulator"
fi
[[ -x "$EMULATOR_BIN" ]] || die "EMULATOR_BIN '$EMULATOR_BIN' is not an executable file"

# --- project-local dependencies (before any trust variable points at the emulator CA) --------
log "installing Node deps (npm ci in tests/sdk/node)"
(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating Python venv tests/sdk/python/.venv"
  python3 -m venv "$VENV" \
    || die "python3 -m venv failed: on Debian's own python3 install python3-venv"
fi
log "installing Python deps (pip install -r tests/sdk/python/requirements.txt)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PY_DIR/requirements.txt"

# --- start the emulator ----------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/auth0-emulator-sdk.XXXXXX")"
STATE_DIR="$WORK/state"
mkdir "$STATE_DIR"
EMU_STDOUT="$WORK/stdout.log"
EMU_STDERR="$WORK/stderr.log"
EMU_PID=""
DRAIN_PID=""

stop_emulator() {
  local status=0
  if [[ -n "$EMU_PID" ]] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill -TERM "$EMU_PID" 2>/dev/null || true
    # Bounded graceful stop: wait for whichever ends first, the emulator or a timer.
    sleep "$STOP_TIMEOUT_SECS" &
    local timer=$! first=""
    wait -n -p first "$EMU_PID" "$timer" 2>/dev/null || status=$?
    if [[ "$first" == "$EMU_PID" ]]; then
      kill "$timer" 2>/dev/null || true
      wait "$timer" 2>/dev/null || true
    else
      log "emulator still running ${STOP_TIMEOUT_SECS}s after SIGTERM; killing it"
      kill -KILL "$EMU_PID" 2>/dev/null || true
      wait "$EMU_PID" 2>/dev/null || true
      status=1
    fi
    if (( status != 0 )); then
      log "emulator did not stop cleanly on SIGTERM (exit status $status); its stderr tail:"
      tail -n 40 "$EMU_STDERR" >&2 || true
    fi
  fi
  EMU_PID=""
  if [[ -n "$DRAIN_PID" ]]; then
    wait "$DRAIN_PID" 2>/dev/null || true
    DRAIN_PID=""
  fi
  return "$status"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_emulator || rc=1
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The emulator writes into a FIFO that this script reads line by line, so waiting for the
# ready line is a blocking read with a deadline, not a poll.
mkfifo "$WORK/stdout.fifo"
"$EMULATOR_BIN" serve --port 0 --state-dir "$STATE_DIR" >"$WORK/stdout.fifo" 2>"$EMU_STDERR" &
EMU_PID=$!
exec 3<"$WORK/stdout.fifo"

ready_line=""
deadline=$((SECONDS + READY_TIMEOUT_SECS))
while :; do
  remaining=$((deadline - SECONDS))
  line=""
  if (( remaining <= 0 )); then
    read_rc=142
  else
    read_rc=0
    IFS= read -r -t "$remaining" -u 3 line || read_rc=$?
  fi
  if (( read_rc != 0 )) && [[ -z "$line" ]]; then
    if (( read_rc > 128 )); then
      why="no ready line within ${READY_TIMEOUT_SECS}s"
    else
      why="emulator closed its stdout (exited?) before printing the ready line"
    fi
    log "$why; command: $EMULATOR_BIN serve --port 0 --state-dir $STATE_DIR"
    log "emulator stdout so far:"; cat "$EMU_STDOUT" >&2 2>/dev/null || true
    log "emulator stderr:"; cat "$EMU_STDERR" >&2 || true
    exit 1
  fi
  printf '%s\n' "$line" >>"$EMU_STDOUT"
  if [[ "$line" == "auth0-emulator ready "* ]]; then
    ready_line="$line"
    break
  fi
done
# Keep draining stdout so later output never blocks the emulator on a full pipe.
cat <&3 >>"$EMU_STDOUT" &
DRAIN_PID=$!
exec 3<&-

declare -A ready=()
for pair in ${ready_line#auth0-emulator ready }; do
  [[ "$pair" == *=* ]] || continue
  ready["${pair%%=*}"]="${pair#*=}"
done
for key in url domain ca; do
  [[ -n "${ready[$key]:-}" ]] || die "ready line lacks '$key=': $ready_line"
done
[[ -f "${ready[ca]}" ]] || die "ready line names CA file '${ready[ca]}', which does not exist"
log "emulator up: $ready_line"

# Trust exactly the emulator's CA, nothing else, so every passing HTTPS call proves that
# this CA is what makes the emulator trusted.
export NODE_EXTRA_CA_CERTS="${ready[ca]}"
export SSL_CERT_FILE="${ready[ca]}"
export REQUESTS_CA_BUNDLE="${ready[ca]}"
unset SSL_CERT_DIR CURL_CA_BUNDLE
export EMULATOR_CA="${ready[ca]}"
export AUTH0_DOMAIN="${ready[domain]}"
export EMULATOR_URL="${ready[url]}"

# --- run the suites; run all of them even if one fails, then report ---------------------------
failed=()

# Suites named on the command line (relative to tests/sdk/), else every one.
node_tests=()
py_tests=()
if (( $# == 0 )); then
  node_tests=("$NODE_DIR"/*.test.mjs)
  py_tests=("$PY_DIR")
else
  for arg in "$@"; do
    file="$(cd "$SDK_DIR" && realpath -e -- "$arg" 2>/dev/null)" || die "no such suite: $arg (paths are relative to tests/sdk/)"
    case "$file" in
      "$NODE_DIR"/*.test.mjs) node_tests+=("$file") ;;
      "$PY_DIR"/test_*.py) py_tests+=("$file") ;;
      *) die "not a suite: $arg (node/*.test.mjs or python/test_*.py)" ;;
    esac
  done
fi

if (( ${#node_tests[@]} > 0 )); then
  log "node --test ${node_tests[*]#"$SDK_DIR/"}"
  if ! (cd "$NODE_DIR" && node --test --test-reporter=spec --test-concurrency=1 \
          --test-timeout=120000 "${node_tests[@]}"); then
    failed+=("node")
  fi
fi

if (( ${#py_tests[@]} > 0 )); then
  log "pytest -q ${py_tests[*]#"$REPO_ROOT/"}"
  if ! (cd "$REPO_ROOT" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${py_tests[@]}"); then
    failed+=("pytest")
  fi
fi

if ! stop_emulator; then
  failed+=("emulator shutdown")
fi

if (( ${#failed[@]} > 0 )); then
  log "FAILED: ${failed[*]}"
  log "emulator stderr tail:"
  tail -n 60 "$EMU_STDERR" >&2 || true
  exit 1
fi
log "all SDK suites passed"
