#!/usr/bin/env bash
# The main job on the embedded default (local mode, no cluster): register a vCenter and the local
# KubeVirt target, map networks and datastores, add an ESXi host and a hook, then inspect them.
# Migration (plans, disk copy) arrives with the plans issue; this shows the resource workflow.
# Runs in a fresh store under $MTV_HOME (default: a new temporary directory).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/setup.sh

export MTV_STORE=local
export MTV_HOME=${MTV_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/mtv-main-job.XXXXXX")}
mtv() { echo "\$ mtv $*"; node "$root/dist/mtv.js" "$@"; echo; }
# Passwords go through files (0600), never argv: `ps` and shell history would show them.
(umask 077 && head -c 12 /dev/urandom | base64 >"$MTV_HOME/vcenter-password" && head -c 12 /dev/urandom | base64 >"$MTV_HOME/esxi-password")
cat >"$MTV_HOME/pre-hook.yaml" <<'YAML'
- hosts: localhost
  tasks:
    - name: quiesce the database before the disks are copied
      debug:
        msg: quiescing
YAML

mtv version
mtv create provider host --type openshift
mtv create provider vcenter --type vsphere --url https://vcenter.example.com/sdk \
  -u administrator@vsphere.local --password-file "$MTV_HOME/vcenter-password" --sdk-endpoint vcenter
mtv create mapping network vcenter-net --source vcenter \
  --network-pairs "VM Network:default,DMZ@20:openshift-mtv/dmz-bridge,Backup:ignored"
mtv create mapping storage vcenter-disks --source vcenter \
  --storage-pairs "datastore1:ocs-storagecluster-ceph-rbd;volumeMode=Block,nfs-ds:nfs-csi"
mtv create host --host-id host-8 --provider vcenter --ip-address 10.0.0.8 -u root --password-file "$MTV_HOME/esxi-password"
mtv create hook quiesce-db --playbook "@$MTV_HOME/pre-hook.yaml" --deadline 300
mtv get providers -o wide
mtv get mappings
mtv get hosts
mtv get hooks
mtv describe provider vcenter
mtv describe mapping network vcenter-net
mtv patch mapping network vcenter-net --update-pairs "Backup:openshift-mtv/backup-net"
mtv get mapping network vcenter-net -o jsonpath='{range .spec.map[*]}{.source.name} -> {.destination.type} {.destination.namespace}/{.destination.name}{"\n"}{end}'
echo "The store is in $MTV_HOME (export MTV_HOME=$MTV_HOME MTV_STORE=local to keep using it)."
