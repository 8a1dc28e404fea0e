#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs everything it needs (cached), then runs the
# type check, lint, unit tests and the integration tests against a real kube-apiserver + etcd
# (built from the Go module proxy by scripts/kube-testbed.sh on first use, ~5 min, then cached).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/setup.sh

command -v go >/dev/null || { echo "Go is needed to build the test control plane (kube-apiserver, etcd)" >&2; exit 1; }
bash scripts/kube-testbed.sh build
echo "[test] building vcsim (govmomi's vSphere simulator; ~1 min the first time, then cached)" >&2
bash scripts/vcsim-testbed.sh build >/dev/null
if ! command -v kubectl >/dev/null; then
  cache=${MTV_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mtv-testbed}
  if [[ ! -x $cache/bin/kubectl ]]; then
    echo "[test] building kubectl from the testbed's Kubernetes module" >&2
    (cd "$cache/src/k8s-v${MTV_TESTBED_K8S_VERSION:-1.32.13}" && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$cache/bin/kubectl" k8s.io/kubernetes/cmd/kubectl)
  fi
  export PATH="$cache/bin:$PATH"
fi

echo "[test] type check and lint" >&2
npx tsc -p tsconfig.json
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "[test] unit tests" >&2
npx vitest run --config vitest.config.ts
echo "[test] integration tests (real kube-apiserver + etcd, the built CLI)" >&2
npx vitest run --config vitest.integration.config.ts
