#!/usr/bin/env bash
# vcsim-testbed.sh - govmomi's vCenter simulator (vcsim) for tests and benchmarks, built from the Go
# module proxy: our wrapper module scripts/vcsim (main.go, fake_cbt.go; go.mod and go.sum pin govmomi
# v0.56.0) serves a VPX model over HTTPS on a free loopback port, with a fresh self-signed certificate and
# enforced credentials.
#
# Usage:
#   vcsim-testbed.sh build                   build the wrapper into the cache if missing; prints "VCSIM_BIN=<path>"
#   vcsim-testbed.sh build-govc              build govc (same govmomi version) into the cache if missing; prints "GOVC=<path>"
#   vcsim-testbed.sh start [FLAGS]           build if needed, start, print one KEY=value line per fact on stdout:
#                                              VCSIM_URL (https://127.0.0.1:PORT/sdk), VCSIM_USERNAME, VCSIM_PASSWORD,
#                                              VCSIM_CACERT (PEM of the server certificate), VCSIM_FINGERPRINT (SHA-1,
#                                              AA:BB:...), VCSIM_PID, VCSIM_DATACENTERS, VCSIM_CLUSTERS, VCSIM_HOSTS,
#                                              VCSIM_VMS, VCSIM_DATASTORES (counts in the model);
#                                            keep running until SIGINT/SIGTERM (or its parent exits), then stop and clean up
#   vcsim-testbed.sh run [FLAGS] -- CMD ...  start, run CMD with the VCSIM_* facts exported, stop, exit with CMD's status
#
# FLAGS (each has an environment default; a flag wins over its variable; "--flag N" or "--flag=N"):
#   --datacenters N        MTV_VCSIM_DATACENTERS        datacenters (default 1)
#   --clusters N           MTV_VCSIM_CLUSTERS           clusters per datacenter (default 1)
#   --hosts-per-cluster N  MTV_VCSIM_HOSTS_PER_CLUSTER  hosts per cluster (default 3)
#   --standalone-hosts N   MTV_VCSIM_STANDALONE_HOSTS   standalone hosts per datacenter (default 1)
#   --vms-per-host N       MTV_VCSIM_VMS_PER_HOST       VMs per standalone host and per cluster resource pool (default 2)
#   --datastores N         MTV_VCSIM_DATASTORES         datastores, each mounted on every host (default 1)
#   --pools N              MTV_VCSIM_POOLS              child resource pools per cluster; VMs go into each (default 0)
#   --portgroups N         MTV_VCSIM_PORTGROUPS         distributed port groups per datacenter (default 1)
#   --folders N            MTV_VCSIM_FOLDERS            nest datacenters and their inventory in N folders (default 0)
#   --apps N               MTV_VCSIM_APPS               vApps per cluster (default 0)
#   --disks-per-vm N       MTV_VCSIM_DISKS_PER_VM       virtual disks per VM, added ones through the API (default 1)
#   --nics-per-vm N        MTV_VCSIM_NICS_PER_VM        NICs per VM, added ones on the other networks in turn (default 1)
#   --added-disk-mib N     MTV_VCSIM_ADDED_DISK_MIB     capacity of each added disk (default 64)
#   --fake-cbt             (flag only)                  run fakeCBT, a TEST DOUBLE for Changed Block Tracking
#                                                       (changeIds on snapshots, QueryChangedDiskAreas; see
#                                                       vcsim/fake_cbt.go); adds the fact VCSIM_FAKE_CBT_DIR
#   --username U           MTV_VCSIM_USERNAME           user that Login accepts (default mtv)
#   --password P           MTV_VCSIM_PASSWORD           its password (default: random); any other credentials fail
# VMs in total = datacenters x (standalone-hosts + clusters x max(pools, 1)) x vms-per-host, e.g. 5,000 with
# "--clusters 5 --hosts-per-cluster 4 --standalone-hosts 5 --vms-per-host 500" (takes minutes: ~37 ms per VM).
#
# Environment:
#   MTV_TESTBED_CACHE        cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/mtv-testbed); binaries in $MTV_TESTBED_CACHE/bin
#   MTV_TESTBED_WATCH_PARENT "start" also stops when the process that launched it exits (default 1; 0 = keep running)
#   MTV_VCSIM_TIMEOUT        seconds to wait until vcsim listens (default 900; the model is built before it listens)
#   MTV_VCSIM_KEEP=1         keep the run dir (certificate, datastore directories) after stopping
# Needs: go (>= 1.25; verified with 1.26.8), flock, sha256sum.
# Stdout carries only the KEY=value lines (build, build-govc, start) or CMD's output (run); diagnostics go to stderr.
# The simulator itself also stops when this script dies (it watches its parent), and then removes its run dir.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/vcsim
CACHE=${MTV_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mtv-testbed}
BIN=$CACHE/bin
GOVMOMI_VERSION=$(sed -n 's#^[[:space:]]*require github.com/vmware/govmomi \(v[^ ]*\).*#\1#p' "$SRC/go.mod")
# the binary is cached by a hash of every non-test Go file of the wrapper plus go.mod and go.sum
mapfile -t SRC_FILES < <(cd "$SRC" && printf '%s\n' *.go | grep -v '_test\.go$' | LC_ALL=C sort)
SRC_HASH=$(cd "$SRC" && cat "${SRC_FILES[@]}" go.mod go.sum | sha256sum | cut -c1-12)
VCSIM=$BIN/vcsim-mtv-$GOVMOMI_VERSION-$SRC_HASH
GOVC=$BIN/govc-$GOVMOMI_VERSION
TIMEOUT=${MTV_VCSIM_TIMEOUT:-900}

log() { printf '[vcsim-testbed] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

# with_build_lock CMD...: runs CMD while holding the cache's build lock (serializes concurrent builds)
with_build_lock() {
  command -v go >/dev/null || die "go not found in PATH"
  mkdir -p "$BIN"
  (
    flock 9
    "$@"
  ) 9>"$CACHE/.vcsim-build.lock"
}

build_vcsim_locked() {
  [[ -x $VCSIM ]] && return 0
  local t0
  t0=$(now_ms)
  log "building $(basename "$VCSIM") from $SRC (cold: ~40-70 s)"
  # GOWORK=off / -mod=readonly: never pick up a surrounding go.work, never rewrite the repo's go.mod/go.sum
  (cd "$SRC" && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w" -o "$VCSIM.tmp" .)
  mv "$VCSIM.tmp" "$VCSIM"
  log "built in $(($(now_ms) - t0)) ms"
}

build_govc_locked() {
  [[ -x $GOVC ]] && return 0
  local t0 dir
  t0=$(now_ms)
  dir=$CACHE/src/govc-$GOVMOMI_VERSION
  log "building govc $GOVMOMI_VERSION in $dir (cold: ~1-2 min)"
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    export GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
    go mod init govcbuild >/dev/null 2>&1
    go get "github.com/vmware/govmomi@$GOVMOMI_VERSION" >/dev/null 2>&1
    # since v0.47 govc's main is a nested module: register every command package like govc's own main does
    {
      printf 'package main\n\nimport (\n\t"os"\n\n\t"github.com/vmware/govmomi/cli"\n'
      go list -e github.com/vmware/govmomi/cli/... 2>/dev/null | grep -v '/cli$' | sed 's/.*/\t_ "&"/'
      printf ')\n\nfunc main() { os.Exit(cli.Run(os.Args[1:])) }\n'
    } >main.go
    go mod tidy >tidy.log 2>&1 || { cat tidy.log >&2; exit 1; }
    go build -trimpath -ldflags "-s -w -X github.com/vmware/govmomi/cli/flags.BuildVersion=$GOVMOMI_VERSION" -o "$GOVC.tmp" .
  ) || die "govc build failed"
  mv "$GOVC.tmp" "$GOVC"
  log "built govc in $(($(now_ms) - t0)) ms"
}

build() { [[ -x $VCSIM ]] || with_build_lock build_vcsim_locked; }
build_govc() { [[ -x $GOVC ]] || with_build_lock build_govc_locked; }

# model_flags: the simulator's flags from the MTV_VCSIM_* environment (command-line flags are appended after, and win)
model_flags() {
  local pair flag var
  for pair in datacenters:DATACENTERS clusters:CLUSTERS hosts-per-cluster:HOSTS_PER_CLUSTER \
    standalone-hosts:STANDALONE_HOSTS vms-per-host:VMS_PER_HOST datastores:DATASTORES pools:POOLS \
    portgroups:PORTGROUPS folders:FOLDERS apps:APPS disks-per-vm:DISKS_PER_VM nics-per-vm:NICS_PER_VM \
    added-disk-mib:ADDED_DISK_MIB username:USERNAME password:PASSWORD; do
    flag=${pair%%:*} var=MTV_VCSIM_${pair#*:}
    [[ -n ${!var:-} ]] && printf -- '-%s=%s\n' "$flag" "${!var}"
  done
  return 0
}

RUN_DIR="" VCSIM_PID=""
stop_vcsim() { # TERM, then KILL after 10 s
  local pid=$VCSIM_PID i
  VCSIM_PID=""
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  stop_vcsim
  if [[ ${MTV_VCSIM_KEEP:-0} == 1 ]]; then
    [[ -n $RUN_DIR ]] && log "kept $RUN_DIR"
  else
    [[ -n $RUN_DIR ]] && rm -rf "$RUN_DIR"
  fi
  log "stopped"
}

# start FLAGS...: starts the simulator in the background and waits until it has written its facts
start() {
  build
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mtv-vcsim.XXXXXX")
  local t0 i keep=() flags=()
  t0=$(now_ms)
  mapfile -t flags < <(model_flags)
  [[ ${MTV_VCSIM_KEEP:-0} == 1 ]] && keep=(-keep)
  "$VCSIM" -dir "$RUN_DIR" "${keep[@]}" "${flags[@]}" "$@" >"$RUN_DIR/facts.env" &
  VCSIM_PID=$!
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    grep -q '^VCSIM_URL=' "$RUN_DIR/facts.env" 2>/dev/null && break
    kill -0 "$VCSIM_PID" 2>/dev/null || { wait "$VCSIM_PID" || true; VCSIM_PID=""; die "vcsim exited before it listened"; }
    sleep 0.1
  done
  ((i < TIMEOUT * 10)) || die "vcsim not listening after ${TIMEOUT}s"
  log "ready in $(($(now_ms) - t0)) ms: $(sed -n 's/^VCSIM_URL=//p' "$RUN_DIR/facts.env") (pid $VCSIM_PID," \
    "$(sed -n 's/^VCSIM_VMS=//p' "$RUN_DIR/facts.env") VMs, run dir $RUN_DIR)"
}

cmd=${1:-start}; shift || true
case $cmd in
  build) build; printf 'VCSIM_BIN=%s\n' "$VCSIM" ;;
  build-govc) build_govc; printf 'GOVC=%s\n' "$GOVC" ;;
  start)
    start "$@"
    cat "$RUN_DIR/facts.env"
    parent=$PPID
    alive() { kill -0 "$1" 2>/dev/null || [[ -d /proc/$1 ]]; }   # /proc: parent may belong to another user
    while kill -0 "$VCSIM_PID" 2>/dev/null; do   # bash reaps its children, so no zombies
      # a test runner that dies without tearing down must not leak the simulator
      if [[ ${MTV_TESTBED_WATCH_PARENT:-1} == 1 ]] && ! alive "$parent"; then log "parent $parent exited; stopping"; exit 0; fi
      sleep 1 & wait $! || true
    done
    log "vcsim exited unexpectedly"; exit 1 ;;
  run)
    args=()
    while (($#)) && [[ $1 != -- ]]; do args+=("$1"); shift; done
    [[ ${1:-} == -- ]] && shift
    (($#)) || die "usage: $0 run [FLAGS] -- CMD [ARGS...]"
    start "${args[@]}"
    rc=0
    (
      while IFS='=' read -r key value; do export "$key=$value"; done <"$RUN_DIR/facts.env"   # no eval: values are data
      "$@"
    ) || rc=$?
    exit "$rc" ;;
  *) die "usage: $0 {build|build-govc|start [FLAGS]|run [FLAGS] -- CMD...}" ;;
esac
