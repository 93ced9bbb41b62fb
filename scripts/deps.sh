#!/usr/bin/env bash
# deps.sh [--test] - install what kaigo needs on Debian 12, idempotently. Installs only
# what is missing (apt-get as root, or via sudo). Used by `make run`; `make test` adds --test:
# Debian's chromium for the browser tests and the npm packages of tests/browser (playwright-core,
# axe-core, from the npm registry by its lock file; never a downloaded browser) and PostgreSQL 15
# and pg_auto_failover for tests/pg/. `--layers`: the
# HTTP libraries that only bench/layers.sh compares against libmicrohttpd (never linked into kaigo).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(build-essential cmake ninja-build pkg-config clang
      libmicrohttpd-dev libgnutls28-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libsodium-dev libcmocka-dev
      nodejs wrk bc
      libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk poppler-utils zbar-tools)
# make test-package: systemd-analyze (the unit verified and scored) and curl (the installed service probed)
[ "${1:-}" = "--test" ] && pkgs+=(chromium openssl systemd curl)
# the PostgreSQL backend's tests start a throw-away cluster of their own (tests/pg/cluster.sh), and
# the failover test a primary and a standby under pg_auto_failover (tests/pg/ha.sh)
[ "${1:-}" = "--test" ] && pkgs+=(postgresql-15 postgresql-client-15 postgresql-15-auto-failover pg-auto-failover-cli)
[ "${1:-}" = "--layers" ] && pkgs+=(libh2o-evloop-dev libevent-dev)
missing=()
# npm comes with the machine's Node.js; Debian's own npm only where there is none
[ "${1:-}" = "--test" ] && ! command -v npm >/dev/null && missing+=(npm)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--test" ] && ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.kaigo-lock; then
  echo "deps: npm ci (tests/browser: playwright-core, axe-core)" >&2
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error &&
   cp package-lock.json node_modules/.kaigo-lock)
fi
