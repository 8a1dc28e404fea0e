#!/usr/bin/env bash
# Records real vcsim SOAP responses as fixtures for the decoder's unit tests.
# Usage: bash src/providers/vsphere/testdata/capture.sh   (starts scripts/vcsim-testbed.sh run with the default model)
# Writes <name>.xml beside this script; review the diff before keeping it (ids and timestamps change each run).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z ${VCSIM_URL:-} ]]; then
  exec bash "$HERE/../../../../scripts/vcsim-testbed.sh" run -- bash "${BASH_SOURCE[0]}"
fi
jar=$(mktemp); trap 'rm -f "$jar"' EXIT
soap() { # soap NAME BODY: POSTs one request, saves the response as NAME.xml
  curl -s --cacert "$VCSIM_CACERT" -b "$jar" -c "$jar" -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: urn:vim25/6.5' --data-binary @- "$VCSIM_URL" >"$HERE/$1.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>$2</soapenv:Body></soapenv:Envelope>
XML
}
pc='<_this type="PropertyCollector">propertyCollector</_this>'
soap retrieve-service-content '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
soap fault-not-authenticated '<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>'
soap retrieve-not-authenticated "<RetrievePropertiesEx xmlns=\"urn:vim25\">$pc<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"Folder\">group-d1</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap fault-invalid-login '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>nobody</userName><password>wrong</password></Login>'
soap login "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$VCSIM_USERNAME</userName><password>$VCSIM_PASSWORD</password></Login>"
sed -i "s/$VCSIM_USERNAME/mtv/g" "$HERE/login.xml"
vms='<objectSet><obj type="Folder">group-d1</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>folder</name><type>Folder</type><path>childEntity</path><skip>false</skip><selectSet><name>folder</name></selectSet><selectSet><name>dcVm</name></selectSet></selectSet><selectSet xsi:type="TraversalSpec"><name>dcVm</name><type>Datacenter</type><path>vmFolder</path><skip>false</skip><selectSet><name>folder</name></selectSet></selectSet></objectSet>'
soap retrieve-vm-properties "<RetrievePropertiesEx xmlns=\"urn:vim25\">$pc<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet><pathSet>config.hardware.numCPU</pathSet><pathSet>config.hardware.device</pathSet><pathSet>guest.net</pathSet><pathSet>config.extraConfig</pathSet><pathSet>summary.config.annotation</pathSet><pathSet>snapshot</pathSet><pathSet>datastore</pathSet></propSet>$vms</specSet><options><maxObjects>1</maxObjects></options></RetrievePropertiesEx>"
soap fault-invalid-property "<RetrievePropertiesEx xmlns=\"urn:vim25\">$pc<specSet><propSet><type>VirtualMachine</type><pathSet>no.such.property</pathSet></propSet>$vms</specSet><options/></RetrievePropertiesEx>"
soap fault-managed-object-not-found '<PowerOffVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-404</_this></PowerOffVM_Task>'
soap create-filter "<CreateFilter xmlns=\"urn:vim25\">$pc<spec><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>$vms</spec><partialUpdates>false</partialUpdates></CreateFilter>"
soap wait-for-updates-initial "<WaitForUpdatesEx xmlns=\"urn:vim25\">$pc<version></version><options><maxWaitSeconds>0</maxWaitSeconds><maxObjectUpdates>2</maxObjectUpdates></options></WaitForUpdatesEx>"
soap wait-for-updates-rest "<WaitForUpdatesEx xmlns=\"urn:vim25\">$pc<version>-</version><options><maxWaitSeconds>0</maxWaitSeconds><maxObjectUpdates>2</maxObjectUpdates></options></WaitForUpdatesEx>"
soap wait-for-updates-empty "<WaitForUpdatesEx xmlns=\"urn:vim25\">$pc<version>-</version><options><maxWaitSeconds>0</maxWaitSeconds></options></WaitForUpdatesEx>"
soap wait-for-updates-none "<WaitForUpdatesEx xmlns=\"urn:vim25\">$pc<version>-</version><options><maxWaitSeconds>0</maxWaitSeconds></options></WaitForUpdatesEx>"
soap power-on-task '<PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-62</_this></PowerOnVM_Task>'
task=$(sed -n 's#.*<returnval type="Task">\([^<]*\)</returnval>.*#\1#p' "$HERE/power-on-task.xml")
sleep 1
soap task-info-error "<RetrievePropertiesEx xmlns=\"urn:vim25\">$pc<specSet><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.error</pathSet><pathSet>info.name</pathSet></propSet><objectSet><obj type=\"Task\">$task</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap current-time '<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>'
soap logout '<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>'
echo "captured into $HERE" >&2
