#!/usr/bin/env bash
# deps.sh - install what kaigo needs on Debian 12, idempotently. Installs only
# what is missing (apt-get as root, or via sudo). Used by `make run` and `make test`.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config clang
      libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev libcmocka-dev
      nodejs wrk bc
      libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk poppler-utils zbar-tools)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
