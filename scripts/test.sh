#!/usr/bin/env bash
# The one command that runs every test of auth0-emulator (the README and .ci/run call exactly
# this): clippy (when installed), cargo test, the SDK conformance suite (tests/sdk/run.sh), then
# the container image test (tests/image/run.sh, with podman).
#
# Needs Rust, Node.js 20+ and Python 3.11+. Installs project-local deps itself (npm ci, a venv);
# installs the system packages the browser test needs (chromium, libnss3-tools) and the image
# test needs (podman, runc) when it runs as root with apt-get, and otherwise stops and says
# what to install.
# Every step runs even when an earlier one fails, so each runner prints its summary; any
# failure makes the script exit non-zero.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[test.sh] %s\n' "$*" >&2; }

# --- system packages for the browser and image tests -----------------------------------------
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v certutil >/dev/null || missing+=(libnss3-tools)
command -v openssl >/dev/null || missing+=(openssl)
command -v podman >/dev/null || missing+=(podman)
[[ -x /usr/sbin/runc ]] || missing+=(runc)
if (( ${#missing[@]} > 0 )); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  else
    say "missing system packages: ${missing[*]}"
    say "install them first, e.g.: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

for tool in cargo node npm python3; do
  command -v "$tool" >/dev/null || { say "'$tool' not found: install Rust, Node.js 20+ and Python 3.11+"; exit 1; }
done

# --- run every step, remember which failed ----------------------------------------------------
failed=()
run_step() {
  local name=$1; shift
  say "== $name: $*"
  if ! "$@"; then
    failed+=("$name")
    say "== $name FAILED"
  fi
}

if cargo clippy --version >/dev/null 2>&1; then
  run_step clippy cargo clippy --all-targets -- -D warnings
else
  say "cargo clippy is not installed; skipping the lint step (rustup component add clippy)"
fi
run_step "cargo test" cargo test --all-targets
run_step "sdk suites" bash tests/sdk/run.sh
run_step "image" bash tests/image/run.sh

if (( ${#failed[@]} > 0 )); then
  say "FAILED steps: ${failed[*]}"
  exit 1
fi
say "all steps passed"
