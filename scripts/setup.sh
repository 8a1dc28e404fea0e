#!/usr/bin/env bash
# Installs what mtv needs to build and run, idempotently: system tools, npm dependencies (reused
# while package-lock.json is unchanged), and the bundled CLI. Sourced by main-job.sh and test.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[setup] %s\n' "$*" >&2; }

missing=()
for tool in curl openssl flock python3 make g++ qemu-img mkfs.ext4; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing missing tools: ${missing[*]}"
  pkgs=()
  for t in "${missing[@]}"; do
    case $t in flock) pkgs+=(util-linux) ;; g++) pkgs+=(g++) ;; qemu-img) pkgs+=(qemu-utils) ;; mkfs.ext4) pkgs+=(e2fsprogs) ;; *) pkgs+=("$t") ;; esac
  done
  SUDO=$([[ $(id -u) == 0 ]] && echo || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("mtv needs Node.js >= 20.19, found "+process.versions.node); process.exit(1) }'

stamp=node_modules/.mtv-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "installing npm dependencies (better-sqlite3 compiles from source: ~1.5 min the first time)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
else
  npm run --silent build >/dev/null
fi
