#!/usr/bin/env bash
# The main job on the embedded default (local mode, no cluster): register a vCenter (VMware's own
# simulator, vcsim, started here) and the local KubeVirt target, watch the provider become Ready as
# the background controller collects its inventory, explore the inventory with queries, map
# networks and datastores, add an ESXi host and a hook, create plans, give the VMs (two disks and
# two NICs each) real disks, migrate a plan cold, and print each disk's source and target sha256.
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

# A vCenter to talk to: vcsim on a free loopback port with its own certificate and credentials
# (built from the Go module proxy on first use, then cached). It stops when this script exits.
facts="$MTV_HOME/vcsim.env"
MTV_VCSIM_PASSWORD=$(cat "$MTV_HOME/vcenter-password") bash scripts/vcsim-testbed.sh start \
  --clusters 2 --hosts-per-cluster 2 --vms-per-host 4 --portgroups 2 --disks-per-vm 2 --nics-per-vm 2 >"$facts" &
vcsim_pid=$!
trap 'kill $vcsim_pid 2>/dev/null; node "$root/dist/mtv.js" controller stop >/dev/null 2>&1 || true' EXIT
for _ in $(seq 600); do grep -q '^VCSIM_DATASTORES=' "$facts" 2>/dev/null && break; sleep 0.5; done
grep -q '^VCSIM_DATASTORES=' "$facts" || { echo "vcsim did not start" >&2; exit 1; }
vcsim_url=$(sed -n 's/^VCSIM_URL=//p' "$facts")
vcsim_user=$(sed -n 's/^VCSIM_USERNAME=//p' "$facts")
vcsim_ca=$(sed -n 's/^VCSIM_CACERT=//p' "$facts")

mtv version
mtv create provider host --type openshift
# Creating a provider starts the background controller (it exits after 10 idle minutes).
mtv create provider vcenter --type vsphere --url "$vcsim_url" \
  -u "$vcsim_user" --password-file "$MTV_HOME/vcenter-password" --cacert "@$vcsim_ca"
echo "\$ waiting for provider/vcenter to become Ready"
for _ in $(seq 120); do
  [[ $(node "$root/dist/mtv.js" get provider vcenter -o jsonpath='{.status.phase}' 2>/dev/null) == Ready ]] && break
  sleep 0.5
done
mtv get providers
mtv controller status
mtv get inventory vm vcenter
mtv get inventory vm vcenter -q "where powerState = 'poweredOn' and name like 'DC0_C1%' order by name desc limit 3"
mtv get inventory vm vcenter -q "select cluster, count(*) as vms, sum(memoryMB) as memoryMB, sum(diskCapacity)/1Gi as diskGiB group by cluster order by vms desc"
mtv get inventory network vcenter
mtv get inventory datastore vcenter -o markdown
mtv get inventory vm vcenter -q "where name like 'DC0_H0%'" -o planvms
mtv create mapping network vcenter-net --source vcenter \
  --network-pairs "VM Network:default,DC0_DVPG0:openshift-mtv/dmz-bridge,DC0_DVPG1:ignored"
mtv create mapping storage vcenter-disks --source vcenter \
  --storage-pairs "LocalDS_0:ocs-storagecluster-ceph-rbd;volumeMode=Block"
host_id=$(node "$root/dist/mtv.js" get inventory host vcenter -q "limit 1" -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].id))')
mtv create host --host-id "$host_id" --provider vcenter --ip-address 10.0.0.8 -u root --password-file "$MTV_HOME/esxi-password"
mtv create hook quiesce-db --playbook "@$MTV_HOME/pre-hook.yaml" --deadline 300
mtv get providers -o wide
mtv get mappings
mtv get hosts
mtv get hooks
mtv describe provider vcenter
mtv describe mapping network vcenter-net
mtv patch mapping network vcenter-net --update-pairs "DC0_DVPG1:openshift-mtv/backup-net"
mtv get mapping network vcenter-net -o jsonpath='{range .spec.map[*]}{.source.name} -> {.destination.type} {.destination.namespace}/{.destination.name}{"\n"}{end}'
# Plans: VMs chosen by a query; the mappings above, or an automatic one with every choice explained.
mtv create plan web --source vcenter --vms "where name like 'DC0_H0%' and powerState = 'poweredOn'" \
  --network-mapping vcenter-net --storage-mapping vcenter-disks --target-affinity "PREFER nodes(disktype=ssd) weight=50"
mtv create plan batch --source vcenter --vms "WHERE name like 'DC0_C0%'" --network-mapping vcenter-net \
  --default-target-storage-class standard
echo "\$ waiting for plan/web and plan/batch to be validated"
for _ in $(seq 60); do
  [[ $(node "$root/dist/mtv.js" get plan batch -o jsonpath='{.status.phase}' 2>/dev/null) == Ready ]] && break
  sleep 0.5
done
mtv get plans
mtv describe plan batch
mtv patch planvm batch DC0_C0_RP0_VM0 --target-name web-zero --add-pre-hook quiesce-db
mtv get plan batch -o jsonpath='{range .spec.vms[*]}{.name} -> {.targetName}{"\n"}{end}'

# Give the web plan's VMs real disks: an ext4 file system per disk (qemu-img + mkfs.ext4), uploaded
# as an ESXi flat disk (descriptor + -flat extent) over the datastore HTTP interface, as a vCenter
# holds them. Their sha256 is what the migrated volumes must hash to.
(umask 077 && printf 'user = "%s:%s"\n' "$vcsim_user" "$(cat "$MTV_HOME/vcenter-password")" >"$MTV_HOME/curl-auth")
base=${vcsim_url%/sdk}
node "$root/dist/mtv.js" get inventory vm vcenter -q "where name like 'DC0_H0%'" -o json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const v of JSON.parse(s))for(const d of v.disks)console.log(v.name, d.key, d.file.replace(/^\[[^\]]+\] /,""))})' |
  while read -r vm_name disk_key disk_path; do
    work="$MTV_HOME/images/$vm_name-$disk_key"
    mkdir -p "$work/content"
    echo "disk $disk_key of $vm_name, migrated by mtv" >"$work/content/hello.txt"
    head -c 2097152 /dev/urandom >"$work/content/data.bin"
    qemu-img create -q -f raw "$work/disk.img" 32M
    PATH="$PATH:/usr/sbin:/sbin" mkfs.ext4 -q -F -d "$work/content" "$work/disk.img"
    folder=${disk_path%/*}; name=${disk_path##*/}; name=${name%.vmdk}
    sectors=$(($(stat -c %s "$work/disk.img") / 512))
    printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="vmfs"\n\nRW %s VMFS "%s-flat.vmdk"\n\nddb.adapterType = "lsilogic"\n' \
      "$sectors" "$name" >"$work/$name.vmdk"
    for f in "$work/disk.img:$name-flat.vmdk" "$work/$name.vmdk:$name.vmdk"; do
      curl -fsS -K "$MTV_HOME/curl-auth" --cacert "$vcsim_ca" -T "${f%%:*}" \
        "$base/folder/$folder/${f#*:}?dcPath=DC0&dsName=LocalDS_0"
    done
    echo "$vm_name $disk_key $(sha256sum "$work/disk.img" | cut -d' ' -f1)" >>"$MTV_HOME/source-sha256"
  done

# Start the plan; the background controller powers the sources off, copies each disk (sparse,
# checkpointed, hashed), and writes the KubeVirt manifests.
mtv start plan web
echo "\$ waiting for plan/web to finish"
for _ in $(seq 240); do
  phase=$(node "$root/dist/mtv.js" get plan web -o jsonpath='{.status.phase}' 2>/dev/null)
  [[ $phase == Succeeded || $phase == Failed ]] && break
  sleep 0.5
done
mtv get plans
mtv get plan web --vms
mtv get plan web --disk
echo "\$ source and migrated disk digests"
node "$root/dist/mtv.js" get plan web -o json >"$MTV_HOME/web.json"
while read -r vm_name disk_key sha; do
  got=$(node -e 'const p=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=p.status.migration.vms.find(v=>v.name===process.argv[2]);const t=v.pipeline.find(s=>s.name==="DiskTransfer").tasks.find(t=>t.annotations["mtv.konveyor.io/disk-key"]===process.argv[3]);console.log(t.annotations["mtv.konveyor.io/sha256"])' "$MTV_HOME/web.json" "$vm_name" "$disk_key")
  echo "$vm_name disk $disk_key source $sha target $got $([[ $sha == "$got" ]] && echo identical || echo DIFFERENT)"
done <"$MTV_HOME/source-sha256"
echo "\$ the generated VirtualMachine manifests (apply them to a cluster with kubectl apply -f)"
ls -1 "$MTV_HOME"/manifests/*/*.yaml
echo "The store is in $MTV_HOME (export MTV_HOME=$MTV_HOME MTV_STORE=local to keep using it)."
