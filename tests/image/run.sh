#!/usr/bin/env bash
# Container image test: build the static binary, build docker/Dockerfile's image from it with
# podman (BIN_STAGE=prebuilt, so no Rust base image is pulled), run it with mounted seeds, a
# named state volume and a published port, wait for its HEALTHCHECK, fetch the CA from it and
# run a Node SDK smoke test (tests/image/smoke.test.mjs) against it. Then check that SIGTERM
# stops it cleanly and that a restart keeps the CA.
#
#   tests/image/run.sh
#   tests/image/run.sh --size-only   build the binary and the image, print image_bytes=N, stop
#                                     (what bench/run.py reports)
#
# Needs podman and runc (scripts/test.sh installs them as root), cargo, Node.js 20+ and python3.
# When podman is missing or cannot start a container on this machine, it prints
# "SKIPPED: podman cannot run containers on this machine: <reason>" and exits 0; every other
# failure exits non-zero.
set -euo pipefail

IMAGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$IMAGE_DIR/../.." && pwd)"
SDK_NODE_DIR="$REPO_ROOT/tests/sdk/node"
TARGET_TRIPLE=x86_64-unknown-linux-gnu
# Its own target dir: crt-static changes RUSTFLAGS, which would otherwise rebuild the normal
# target/ from scratch on every switch.
STATIC_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/static"
BIN="$STATIC_TARGET_DIR/$TARGET_TRIPLE/release/auth0-emulator"
MAX_IMAGE_BYTES=20000000
READY_TIMEOUT_SECS=30
STOP_TIMEOUT_SECS=10
NAME="auth0-emulator-image-test-$$"
IMAGE="localhost/$NAME:latest"
VOLUME="$NAME-state"

log() { printf '[image] %s\n' "$*" >&2; }
die() { printf '[image] error: %s\n' "$*" >&2; exit 1; }
skip() {
  printf '\n[image] SKIPPED: podman cannot run containers on this machine: %s\n\n' "$*" >&2
  exit 0
}

for tool in cargo node npm python3 readelf; do
  command -v "$tool" >/dev/null || die "'$tool' not found"
done
command -v podman >/dev/null \
  || skip "podman is not installed (as root, scripts/test.sh installs it: apt-get install podman runc)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/auth0-emulator-image.XXXXXX")"
PODMAN_LOG="$WORK/podman.log"

# Images, containers and volumes live in a store of this run's own, under $WORK, so the test
# neither sees nor leaves anything in the machine's podman store (a multi-stage build leaves
# untagged stage images behind). Debian's podman picks crun when it is installed, and crun
# fails on this project's CI machines; runc works.
STORE=(--root "$WORK/store/root" --runroot "$WORK/store/run")
PODMAN=(podman "${STORE[@]}")
[[ -x /usr/sbin/runc ]] && PODMAN+=(--runtime /usr/sbin/runc)
# The container may not raise its open-file and process limits above this root's hard limits
# (CI's root lacks CAP_SYS_RESOURCE), and podman's defaults are higher: set them explicitly.
RUN_LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -d "$WORK/store" ]]; then
    "${PODMAN[@]}" rm -f -t 0 "$NAME" >>"$PODMAN_LOG" 2>&1 || true
    "${PODMAN[@]}" volume rm -f "$VOLUME" >>"$PODMAN_LOG" 2>&1 || true
    "${PODMAN[@]}" rmi -a -f >>"$PODMAN_LOG" 2>&1 || true
    # Whatever the store still has mounted, deepest first; rm never crosses a mount point.
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
  fi
  rm -rf --one-file-system "$WORK" || log "could not remove $WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# podman's own complaints go to a log; show its tail when a podman command fails.
pm() {
  if ! "${PODMAN[@]}" "$@" 2>>"$PODMAN_LOG"; then
    log "podman $1 failed; podman's messages:"
    tail -n 20 "$PODMAN_LOG" >&2
    return 1
  fi
}

# overlay where the kernel allows it on $WORK's file system, else vfs (slower, always works).
if ! "${PODMAN[@]}" info >/dev/null 2>"$WORK/info.err"; then
  PODMAN+=(--storage-driver vfs)
  "${PODMAN[@]}" info >/dev/null 2>>"$WORK/info.err" || skip "podman info: $(tail -n 1 "$WORK/info.err")"
fi

# --- the static binary ---------------------------------------------------------------------
log "building the static binary (crt-static, $TARGET_TRIPLE, target dir ${STATIC_TARGET_DIR#"$REPO_ROOT/"})"
(cd "$REPO_ROOT" && RUSTFLAGS='-C target-feature=+crt-static' \
  cargo build --quiet --release --locked --bin auth0-emulator --target "$TARGET_TRIPLE" \
    --target-dir "$STATIC_TARGET_DIR")
# Static: no program interpreter, no shared libraries needed.
if readelf -lW "$BIN" | grep -q 'INTERP' || readelf -dW "$BIN" | grep -q '(NEEDED)'; then
  die "$BIN is dynamically linked: $(readelf -dW "$BIN" | grep '(NEEDED)' | tr -s ' ' | tr '\n' ';')"
fi
version_line="$("$BIN" --version)"
VERSION="${version_line#auth0-emulator }"
[[ "$version_line" == "auth0-emulator $VERSION" && -n "$VERSION" ]] || die "unexpected --version output: $version_line"
log "binary: statically linked, $(stat -c %s "$BIN") bytes, $version_line"

# --- the image -----------------------------------------------------------------------------
# The prebuilt build context holds just the binary and the empty state directory.
mkdir -p "$WORK/context/state"
cp "$BIN" "$WORK/context/auth0-emulator"
log "podman build (BIN_STAGE=prebuilt)"
# --format docker: the OCI image format has no HEALTHCHECK, and podman would drop it.
pm build --quiet --format docker -f "$REPO_ROOT/docker/Dockerfile" \
  --build-arg BIN_STAGE=prebuilt --build-arg VERSION="$VERSION" -t "$IMAGE" "$WORK/context" >/dev/null

image_bytes="$(pm image inspect --format '{{.Size}}' "$IMAGE")"
log "image size: $image_bytes bytes ($(( (image_bytes + 500000) / 1000000 )) MB; limit $(( MAX_IMAGE_BYTES / 1000000 )) MB)"
(( image_bytes <= MAX_IMAGE_BYTES )) || die "the image is larger than $MAX_IMAGE_BYTES bytes"
if [[ "${1:-}" == "--size-only" ]]; then
  echo "image_bytes=$image_bytes"
  exit 0
fi

config="$(pm image inspect --format \
  '{{.Config.User}}|{{json .Config.Healthcheck.Test}}|{{index .Config.Labels "org.opencontainers.image.version"}}|{{json .Config.Volumes}}|{{json .Config.ExposedPorts}}' "$IMAGE")"
expected='65532:65532|["CMD","/auth0-emulator","healthcheck"]|'"$VERSION"'|{"/state":{}}|{"4443/tcp":{}}'
[[ "$config" == "$expected" ]] || die "image config: got $config, expected $expected"

# --- can podman run a container here? ------------------------------------------------------
# podman exits 125 when it fails itself and 126 when the runtime cannot start the process; a
# message naming the binary means the image is broken, anything else that the machine cannot
# run containers.
probe_rc=0
"${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" "$IMAGE" --version >"$WORK/probe.out" 2>"$WORK/probe.err" || probe_rc=$?
if (( probe_rc == 125 || probe_rc == 126 )) && ! grep -q '/auth0-emulator' "$WORK/probe.err"; then
  skip "podman run exited $probe_rc: $(grep -v 'systemd' "$WORK/probe.err" | tail -n 1)"
fi
(( probe_rc == 0 )) || { cat "$WORK/probe.err" >&2; die "the image's binary failed to run (exit $probe_rc)"; }
[[ "$(cat "$WORK/probe.out")" == "$version_line" ]] || die "in the image, --version printed: $(cat "$WORK/probe.out")"

# --- run it --------------------------------------------------------------------------------
# The tenant's domain must name the published port (the issuer is https://DOMAIN/), so the
# port is chosen before the container starts: the kernel picks a free one.
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DOMAIN="localhost:$PORT"
pm volume create "$VOLUME" >/dev/null
log "podman run -p 127.0.0.1:$PORT:4443, seeds /seed (seed-data) and /seed-extra (tests/image/seed), domain $DOMAIN"
pm run -d --name "$NAME" "${RUN_LIMITS[@]}" \
  -p "127.0.0.1:$PORT:4443" \
  -v "$REPO_ROOT/seed-data:/seed:ro" -v "$IMAGE_DIR/seed:/seed-extra:ro" -v "$VOLUME:/state" \
  -e AUTH0_EMULATOR_SEED=/seed,/seed-extra -e AUTH0_EMULATOR_DOMAIN="$DOMAIN" \
  "$IMAGE" >/dev/null

# The image's HEALTHCHECK, run on demand (no systemd timers here), until it passes.
wait_healthy() {
  local deadline=$((SECONDS + READY_TIMEOUT_SECS))
  until "${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>>"$PODMAN_LOG"; do
    if [[ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$NAME" 2>/dev/null)" != true ]]; then
      log "the container stopped; its output:"; "${PODMAN[@]}" logs "$NAME" >&2 || true
      die "the emulator exited before it was healthy"
    fi
    if (( SECONDS >= deadline )); then
      log "the container's output:"; "${PODMAN[@]}" logs "$NAME" >&2 || true
      die "not healthy within ${READY_TIMEOUT_SECS}s"
    fi
    sleep 0.2
  done
}
started=$SECONDS
wait_healthy
log "healthy after $((SECONDS - started))s: $(pm logs "$NAME" 2>&1 | grep '^auth0-emulator ready ')"

http_get() {
  python3 - "$1" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as res:
    sys.stdout.write(res.read().decode())
PY
}
health="$(http_get "http://127.0.0.1:$PORT/__emulator/health")"
python3 - "$health" "$DOMAIN" <<'PY' || die "unexpected health body: $health"
import json, sys
health, domain = json.loads(sys.argv[1]), sys.argv[2]
assert health["status"] == "ok" and health["domain"] == domain, health
assert health["issuer"] == f"https://{domain}/", health
assert health["users"] == 4, "3 users from /seed and 1 from /seed-extra"
PY

# Name lookups inside `scratch` (static glibc, no NSS modules): /etc/hosts names podman writes.
pm exec "$NAME" /auth0-emulator healthcheck --url http://localhost:4443/__emulator/health
container_host="$(pm inspect --format '{{.Config.Hostname}}' "$NAME")"
pm exec "$NAME" /auth0-emulator healthcheck --url "http://$container_host:4443/__emulator/health"

# --- the CA, from the container ------------------------------------------------------------
http_get "http://127.0.0.1:$PORT/__emulator/ca.pem" >"$WORK/ca.pem"
grep -q 'BEGIN CERTIFICATE' "$WORK/ca.pem" || die "/__emulator/ca.pem is not a PEM certificate"
pm run --rm "${RUN_LIMITS[@]}" -v "$VOLUME:/state" "$IMAGE" ca >"$WORK/ca-from-volume.pem"
cmp -s "$WORK/ca.pem" "$WORK/ca-from-volume.pem" || die "'ca' on the state volume differs from the served CA"

# --- the SDK smoke test --------------------------------------------------------------------
if [[ ! "$SDK_NODE_DIR/node_modules/.package-lock.json" -nt "$SDK_NODE_DIR/package-lock.json" ]]; then
  log "installing Node deps (npm ci in tests/sdk/node)"
  (cd "$SDK_NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "node --test tests/image/smoke.test.mjs (NODE_EXTRA_CA_CERTS = the container's CA)"
NODE_EXTRA_CA_CERTS="$WORK/ca.pem" AUTH0_DOMAIN="$DOMAIN" \
  node --test --test-reporter=spec --test-timeout=60000 "$IMAGE_DIR/smoke.test.mjs"

# --- SIGTERM and restart -------------------------------------------------------------------
pm stop -t "$STOP_TIMEOUT_SECS" "$NAME" >/dev/null
exit_code="$(pm inspect --format '{{.State.ExitCode}}' "$NAME")"
[[ "$exit_code" == 0 ]] || die "after podman stop (SIGTERM) the emulator exited with $exit_code"
pm start "$NAME" >/dev/null
wait_healthy
http_get "http://127.0.0.1:$PORT/__emulator/ca.pem" >"$WORK/ca-after-restart.pem"
cmp -s "$WORK/ca.pem" "$WORK/ca-after-restart.pem" || die "the CA changed across a restart with the same state volume"
log "stopped cleanly on SIGTERM (exit 0); restarted with the same CA from the state volume"
log "passed: image $image_bytes bytes, binary $(stat -c %s "$BIN") bytes"
