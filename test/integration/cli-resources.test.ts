/**
 * The kubectl-mtv resource commands, end to end through the built binary, in local mode and
 * against the real kube-apiserver: the same tests, the same expectations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { Hook } from '../../src/api/index.js';
import type { Host } from '../../src/api/index.js';
import { Resources } from '../../src/api/index.js';
import type { NetworkMap, StorageMap } from '../../src/api/index.js';
import type { KubeObject, ObjectListView, Secret } from '../../src/api/index.js';
import type { Provider } from '../../src/api/index.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ok, runCli, startCli, transcript, type CliTarget } from '../support/cli.js';
import { findSecrets, TestSecrets } from '../support/secrets.js';
import { createNamespace, kubeStoreFor, repoRoot } from '../support/testbed.js';

const work = mkdtempSync(path.join(tmpdir(), 'mtv-cli-'));
const caFile = path.join(work, 'ca.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    path.join(work, 'ca.key'),
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=mtv-test-ca',
  ],
  { stdio: 'ignore' },
);
const playbook = '- hosts: localhost\n  tasks:\n    - name: say hello\n      debug:\n        msg: hello\n';
writeFileSync(path.join(work, 'pre.yaml'), playbook);
writeFileSync(path.join(work, 'broken.yaml'), '- hosts: localhost\n  tasks: [\n');

interface Mode {
  name: 'local' | 'kube';
  setup(): Promise<{ target: CliTarget; store: ObjectStore }>;
}

const modes: Mode[] = [
  {
    name: 'local',
    setup: () => {
      const home = mkdtempSync(path.join(tmpdir(), 'mtv-home-'));
      return Promise.resolve({
        target: { mode: 'local', env: { MTV_HOME: home, HOME: home }, namespace: 'demo' },
        store: LocalStore.open({ home }),
      });
    },
  },
  {
    name: 'kube',
    setup: async () => {
      const kubeconfig = inject('kubeconfig');
      const namespace = await createNamespace(kubeconfig, 'cli');
      return {
        target: { mode: 'kube', env: { KUBECONFIG: kubeconfig }, namespace },
        store: kubeStoreFor(kubeconfig),
      };
    },
  },
];

// The type parameter is the caller's claim about the parsed document.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const yaml = <T>(text: string): T => YAML.parse(text) as T;
const decode = (s: Secret, k: string): string | undefined =>
  s.data?.[k] === undefined ? undefined : Buffer.from(s.data[k] ?? '', 'base64').toString();

describe.each(modes)('kubectl-mtv resources ($name mode)', (mode) => {
  let t: CliTarget;
  let store: ObjectStore;
  const mtv = (...args: string[]): Promise<string> => ok(t, args, { cwd: work });
  const run = (...args: string[]) => runCli(t, args, { cwd: work });
  const secretOf = async (p: Provider): Promise<Secret> =>
    store.get<Secret>(Resources.Secret, t.namespace, p.spec.secret.name ?? '');
  const vsphere = (name: string, ...extra: string[]): Promise<string> =>
    mtv(
      'create',
      'provider',
      name,
      '--type',
      'vsphere',
      '--url',
      'https://vcenter.example.com/sdk',
      '-u',
      'administrator@vsphere.local',
      '-p',
      TestSecrets.vspherePassword,
      ...extra,
    );

  beforeAll(async () => {
    ({ target: t, store } = await mode.setup());
    await mtv('create', 'provider', 'host', '--type', 'openshift');
  });
  afterAll(async () => {
    await store.close();
  });

  describe('providers', () => {
    it('creates a vSphere provider whose Secret has Forklift’s keys and is owned by it', async () => {
      const out = await vsphere('vc1', '--cacert', `@${caFile}`);
      expect(out).toMatch(
        /^provider\/vc1 created\nsecret\/vc1-vsphere-[a-z0-9]{5} created \(credentials of provider\/vc1\)\n$/,
      );
      const p = yaml<Provider>(await mtv('get', 'provider', 'vc1', '-o', 'yaml'));
      expect(p).toMatchObject({
        apiVersion: 'forklift.konveyor.io/v1beta1',
        kind: 'Provider',
        spec: { type: 'vsphere', url: 'https://vcenter.example.com/sdk' },
      });
      const secret = await secretOf(p);
      expect(Object.keys(secret.data ?? {}).sort()).toEqual(['cacert', 'password', 'url', 'user']);
      expect(decode(secret, 'user')).toBe('administrator@vsphere.local');
      expect(decode(secret, 'password')).toBe(TestSecrets.vspherePassword);
      expect(decode(secret, 'cacert')).toContain('BEGIN CERTIFICATE');
      expect(secret.metadata.labels).toEqual({
        createdForProviderType: 'vsphere',
        createdForResourceType: 'providers',
      });
      expect(secret.metadata.ownerReferences).toEqual([
        { apiVersion: 'forklift.konveyor.io/v1beta1', kind: 'Provider', name: 'vc1', uid: p.metadata.uid },
      ]);
    });

    it('reads booleans as --flag and --flag true|false, never turning false into true', async () => {
      await vsphere(
        'vc-tls-off',
        '--provider-insecure-skip-tls',
        'false',
        '--use-vddk-aio-optimization',
        'false',
      );
      const off = yaml<Provider>(await mtv('get', 'provider', 'vc-tls-off', '-o', 'yaml'));
      expect(decode(await secretOf(off), 'insecureSkipVerify')).toBeUndefined();
      expect(off.spec.settings).toEqual({ useVddkAioOptimization: 'false' });
      const r = await run(
        'create',
        'provider',
        'vc-tls-on',
        '--type',
        'vsphere',
        '--url',
        'https://vc/sdk',
        '-u',
        'a',
        '-p',
        TestSecrets.vspherePassword,
        '--provider-insecure-skip-tls',
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Warning: TLS verification is OFF for provider vc-tls-on/);
      const on = yaml<Provider>(await mtv('get', 'provider', 'vc-tls-on', '-o', 'yaml'));
      expect(decode(await secretOf(on), 'insecureSkipVerify')).toBe('true');
      expect(await mtv('describe', 'provider', 'vc-tls-on')).toMatch(/TLS verification:\s+OFF/);
      expect(await mtv('patch', 'provider', 'vc-tls-on', '--cacert', `@${caFile}`)).toMatch(
        /TLS verification on, against the new CA/,
      );
      expect(await mtv('describe', 'provider', 'vc-tls-on')).toMatch(
        /TLS verification:\s+on, against the CA certificate in the Secret/,
      );
      expect(await mtv('describe', 'provider', 'vc1')).toMatch(
        /TLS verification:\s+on, against the CA certificate in the Secret/,
      );
    });

    it('reads a password from a file, keeping it out of argv', async () => {
      const file = path.join(work, 'vc-password');
      writeFileSync(file, `${TestSecrets.vspherePassword}\n`, { mode: 0o600 });
      await mtv(
        'create',
        'provider',
        'vc-pwfile',
        '--type',
        'vsphere',
        '--url',
        'https://vc/sdk',
        '-u',
        'admin',
        '--password-file',
        file,
      );
      const p = yaml<Provider>(await mtv('get', 'provider', 'vc-pwfile', '-o', 'yaml'));
      expect(decode(await secretOf(p), 'password')).toBe(TestSecrets.vspherePassword);
    });

    it('writes vSphere settings and the local cluster provider without a Secret', async () => {
      await vsphere(
        'vc-settings',
        '--sdk-endpoint',
        'esxi',
        '--vddk-init-image',
        'quay.io/x/vddk:8',
        '--vddk-buf-size-in-64k',
        '16',
        '--vddk-buf-count',
        '4',
      );
      const p = yaml<Provider>(await mtv('get', 'provider', 'vc-settings', '-o', 'yaml'));
      expect(p.spec.settings).toEqual({
        sdkEndpoint: 'esxi',
        vddkInitImage: 'quay.io/x/vddk:8',
        vddkConfig: 'VixDiskLib.nfcAio.Session.BufSizeIn64KB=16\nVixDiskLib.nfcAio.Session.BufCount=4',
      });
      const host = yaml<Provider>(await mtv('get', 'provider', 'host', '-o', 'yaml'));
      expect(host.spec).toEqual({ type: 'openshift', secret: {} });
    });

    it('uses an existing Secret with --secret, and refuses a missing one without creating anything', async () => {
      await store.create(Resources.Secret, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'shared-creds', namespace: t.namespace },
        stringData: { user: 'u', password: TestSecrets.vspherePassword },
      });
      expect(
        await mtv(
          'create',
          'provider',
          'vc-shared',
          '--type',
          'vsphere',
          '--url',
          'https://vc/sdk',
          '--secret',
          'shared-creds',
        ),
      ).toBe('provider/vc-shared created\n');
      const p = yaml<Provider>(await mtv('get', 'provider', 'vc-shared', '-o', 'yaml'));
      expect(p.spec.secret).toEqual({ name: 'shared-creds', namespace: t.namespace });
      const r = await run(
        'create',
        'provider',
        'vc-nosecret',
        '--type',
        'vsphere',
        '--url',
        'https://vc/sdk',
        '--secret',
        'does-not-exist',
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/secret "does-not-exist" not found/);
      expect((await run('get', 'provider', 'vc-nosecret')).code).toBe(1);
    });

    it('prints a dry run with redacted Secret values and writes nothing', async () => {
      const before = (await store.list(Resources.Secret, { namespace: t.namespace })).items.length;
      const out = await mtv(
        'create',
        'provider',
        'vc-dry',
        '--type',
        'vsphere',
        '--url',
        'https://vc/sdk',
        '-u',
        'admin',
        '-p',
        TestSecrets.vspherePassword,
        '--dry-run',
      );
      const [secret, provider] = YAML.parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
      expect(secret).toMatchObject({
        kind: 'Secret',
        data: { user: '<redacted>', password: '<redacted>', url: '<redacted>' },
      });
      expect(provider).toMatchObject({
        kind: 'Provider',
        metadata: { name: 'vc-dry' },
        spec: { secret: { name: secret?.metadata.name ?? '' } },
      });
      expect((await run('get', 'provider', 'vc-dry')).code).toBe(1);
      expect((await store.list(Resources.Secret, { namespace: t.namespace })).items.length).toBe(before);
    });

    it('rejects bad input with the flag, rule, value and fix, creating nothing', async () => {
      const cases: [string[], RegExp][] = [
        [
          ['create', 'provider', 'x1', '--type', 'vmware'],
          /--type: must be one of openshift, vsphere, .* \(got "vmware"\)/,
        ],
        [
          ['create', 'provider', 'Bad_Name', '--type', 'ova'],
          /NAME: must be a DNS-1123 name.*\n {2}hint: use "bad-name"/,
        ],
        [
          ['create', 'provider', 'x2', '--type', 'vsphere', '--url', 'https://vc/sdk', '-u', 'a'],
          /--password: is required for vsphere providers/,
        ],
        [
          [
            'create',
            'provider',
            'x3',
            '--type',
            'vsphere',
            '--url',
            'https://vc/sdk',
            '-u',
            'a',
            '-p',
            'b',
            '--cacert',
            '@missing.pem',
          ],
          /--cacert: file does not exist \(got "@missing.pem"\)/,
        ],
        [
          ['create', 'provider', 'x4', '--type', 'ova', '--url', 'https://not-nfs'],
          /--url: must be an NFS export SERVER:\/PATH/,
        ],
        [
          [
            'create',
            'provider',
            'x5',
            '--type',
            'vsphere',
            '--url',
            'https://vc/sdk',
            '-u',
            'a',
            '-p',
            'b',
            '--provider-insecure-skip-tls=maybe',
          ],
          /--provider-insecure-skip-tls: must be true or false \(got "maybe"\)/,
        ],
        [
          ['create', 'provider', 'x6', '--type', 'openshift', '--vddk-init-image', 'img'],
          /--vddk-init-image: does not apply to openshift providers \(only vsphere\)/,
        ],
        [
          [
            'create',
            'provider',
            'x7',
            '--type',
            'vsphere',
            '--url',
            'https://vc/sdk',
            '-u',
            'a',
            '-p',
            'b',
            '-T',
            'tok',
          ],
          /--provider-token: does not apply to vsphere providers/,
        ],
        [
          [
            'create',
            'provider',
            'x8',
            '--type',
            'vsphere',
            '--url',
            `https://admin:${TestSecrets.vspherePassword}@vc/sdk`,
            '-u',
            'a',
            '-p',
            'b',
          ],
          /--url: must not contain credentials/,
        ],
        [
          [
            'create',
            'provider',
            'x9',
            '--type',
            'vsphere',
            '--url',
            'https://vc/sdk',
            '-u',
            'a',
            `--pasword=${TestSecrets.vspherePassword}`,
          ],
          /unknown option '--pasword=…'/,
        ],
      ];
      for (const [args, message] of cases) {
        const r = await run(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      const names = (await store.list(Resources.Provider, { namespace: t.namespace })).items.map(
        (p) => p.metadata.name,
      );
      expect(names.filter((n) => /^x\d$/.test(n ?? ''))).toEqual([]);
    });

    it('patches URL, settings and the password in the provider’s own Secret', async () => {
      await vsphere('vc-patch');
      expect(
        await mtv(
          'patch',
          'provider',
          'vc-patch',
          '--url',
          'https://vc2.example.com/sdk',
          '--vddk-init-image',
          'img:2',
        ),
      ).toMatch(
        /^provider\/vc-patch patched\nsecret\/vc-patch-vsphere-[a-z0-9]{5} patched \(credentials of provider\/vc-patch\)\n$/,
      );
      const out = await mtv('patch', 'provider', 'vc-patch', '--password', TestSecrets.newPassword);
      expect(out).toMatch(
        /^secret\/vc-patch-vsphere-[a-z0-9]{5} patched \(credentials of provider\/vc-patch\)\n$/,
      );
      const p = yaml<Provider>(await mtv('get', 'provider', 'vc-patch', '-o', 'yaml'));
      expect(p.spec.url).toBe('https://vc2.example.com/sdk');
      expect(p.spec.settings).toEqual({ vddkInitImage: 'img:2' });
      expect(decode(await secretOf(p), 'password')).toBe(TestSecrets.newPassword);
      expect(await mtv('patch', 'provider', 'vc-patch', '--url', 'https://vc2.example.com/sdk')).toBe(
        'provider/vc-patch unchanged\n',
      );
      const shared = await run('patch', 'provider', 'vc-shared', '--password', TestSecrets.newPassword);
      expect(shared.code).toBe(2);
      expect(shared.stderr).toMatch(/--password: Secret .*shared-creds is not owned by provider\/vc-shared/);
      const wrongType = await run(
        'patch',
        'provider',
        'vc-patch',
        '--provider-token',
        TestSecrets.openshiftToken,
      );
      expect(wrongType.code).toBe(2);
      expect(wrongType.stderr).toMatch(/--provider-token: does not apply to vsphere providers/);
      const nothing = await run('patch', 'provider', 'vc-patch');
      expect(nothing.stderr).toMatch(/flags: nothing to change/);
    });

    it('lists as kubectl does: List JSON, jsonpath filters, custom columns, names, all namespaces', async () => {
      const list = JSON.parse(await mtv('get', 'providers', '-o', 'json')) as ObjectListView<Provider>;
      expect(list.apiVersion).toBe('v1');
      expect(list.kind).toBe('List');
      expect(list.items.map((p) => p.metadata.name)).toContain('vc1');
      const single = JSON.parse(await mtv('get', 'provider', 'vc1', '-o', 'json')) as Provider;
      expect(single.kind).toBe('Provider');
      expect(
        await mtv('get', 'providers', '-o', 'jsonpath={.items[?(@.spec.type=="openshift")].metadata.name}'),
      ).toBe('host');
      expect(
        await mtv(
          'get',
          'providers',
          'vc1',
          'host',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name}={.spec.type}{"\\n"}{end}',
        ),
      ).toBe('vc1=vsphere\nhost=openshift\n');
      expect(
        await mtv('get', 'provider', 'vc1', '-o', 'custom-columns=NAME:.metadata.name,URL:.spec.url'),
      ).toBe('NAME   URL\nvc1    https://vcenter.example.com/sdk\n');
      expect(await mtv('get', 'provider', 'vc1', '-o', 'name')).toBe('provider.forklift.konveyor.io/vc1\n');
      const table = await mtv('get', 'providers');
      // No controller runs in this suite: no inventory, so the count columns show "-".
      expect(table.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+URL\s+READY\s+PHASE\s+VMS\s+HOSTS\s+AGE$/);
      expect(table).toMatch(/\nvc1\s+vsphere\s+\S+\s+Unknown\s+-\s+-\s+-\s/);
      const all = await ok(t, ['get', 'providers', '-A'], { cwd: work });
      expect(all).toMatch(
        new RegExp(`^NAMESPACE\\s+NAME\\s+TYPE[\\s\\S]*\\n${t.namespace}\\s+vc1\\s+vsphere`),
      );
      expect(await mtv('get', 'providers', 'vc1', '-o', 'markdown')).toMatch(
        /^\| NAME \| TYPE \| URL \| READY \| PHASE \| VMS \| HOSTS \| AGE \|\n\|---\|/,
      );
      const missing = await run('get', 'provider', 'nope');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/provider "nope" not found/);
    });
  });

  describe('mappings', () => {
    it('creates network and storage maps from pairs', async () => {
      expect(
        await mtv(
          'create',
          'mapping',
          'network',
          'net1',
          '--source',
          'vc1',
          '--network-pairs',
          'VM Network:default,DMZ@20:openshift-mtv/dmz,Lab:lab-nad,Backup:ignored',
        ),
      ).toBe('networkmap/net1 created\n');
      const nm = yaml<NetworkMap>(await mtv('get', 'mapping', 'network', 'net1', '-o', 'yaml'));
      expect(nm.spec.provider).toEqual({
        source: { name: 'vc1', namespace: t.namespace },
        destination: { name: 'host', namespace: t.namespace },
      });
      expect(nm.spec.map).toEqual([
        { source: { name: 'VM Network' }, destination: { type: 'pod' } },
        {
          source: { name: 'DMZ', vlan: '20' },
          destination: { type: 'multus', name: 'dmz', namespace: 'openshift-mtv' },
        },
        { source: { name: 'Lab' }, destination: { type: 'multus', name: 'lab-nad', namespace: t.namespace } },
        { source: { name: 'Backup' }, destination: { type: 'ignored' } },
      ]);
      await mtv(
        'create',
        'mapping',
        'storage',
        'st1',
        '-S',
        'vc1',
        '--storage-pairs',
        'datastore1:standard;volumeMode=Block,nfs-ds:nfs-csi',
        '--default-access-mode',
        'ReadWriteMany',
      );
      const sm = yaml<StorageMap>(await mtv('get', 'mapping', 'storage', 'st1', '-o', 'yaml'));
      expect(sm.spec.map).toEqual([
        {
          source: { name: 'datastore1' },
          destination: { storageClass: 'standard', volumeMode: 'Block', accessMode: 'ReadWriteMany' },
        },
        { source: { name: 'nfs-ds' }, destination: { storageClass: 'nfs-csi', accessMode: 'ReadWriteMany' } },
      ]);
      const both = await mtv('get', 'mappings');
      expect(both).toMatch(/net1\s+.*vc1\s+.*host\s+4/);
      expect(both).toMatch(/st1\s+.*vc1\s+.*host\s+2/);
      expect(await mtv('describe', 'mapping', 'network', 'net1')).toMatch(
        /DMZ @ VLAN 20\s+multus openshift-mtv\/dmz/,
      );
    });

    it('rejects malformed pairs, naming each one', async () => {
      const cases: [string[], RegExp][] = [
        [
          ['create', 'mapping', 'network', 'bad1', '--source', 'vc1', '--network-pairs', 'VM Network'],
          /--network-pairs pair 1 "VM Network": has no target\n {2}hint: write SOURCE:TARGET/,
        ],
        [
          [
            'create',
            'mapping',
            'network',
            'bad2',
            '--source',
            'vc1',
            '--network-pairs',
            'a:default,b:default',
          ],
          /pair 2 "b:default": maps a second source to the pod network/,
        ],
        [
          ['create', 'mapping', 'network', 'bad3', '--source', 'vc1', '--network-pairs', 'a@4095:ignored'],
          /VLAN 4095 is outside 1–4094/,
        ],
        [
          [
            'create',
            'mapping',
            'storage',
            'bad4',
            '--source',
            'vc1',
            '--storage-pairs',
            'ds:std;volumeMode=Blok',
          ],
          /volumeMode must be Filesystem or Block \(got "Blok"\)/,
        ],
      ];
      for (const [args, message] of cases) {
        const r = await run(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      const missing = await run(
        'create',
        'mapping',
        'network',
        'bad5',
        '--source',
        'no-such-provider',
        '--network-pairs',
        'a:default',
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /provider "no-such-provider" not found[\s\S]*hint: --source must name an existing provider/,
      );
      const maps = await store.list(Resources.NetworkMap, { namespace: t.namespace });
      expect(maps.items.map((m) => m.metadata.name).filter((n) => n?.startsWith('bad'))).toEqual([]);
    });

    it('adds, updates and removes pairs, and refuses contradictions', async () => {
      await mtv(
        'create',
        'mapping',
        'network',
        'net2',
        '--source',
        'vc1',
        '--network-pairs',
        'A:default,B:ignored',
      );
      expect(
        await mtv(
          'patch',
          'mapping',
          'network',
          'net2',
          '--add-pairs',
          'C:nad-c',
          '--update-pairs',
          'B:ns2/nad-b',
          '--remove-pairs',
          'A',
        ),
      ).toBe('networkmap/net2 patched\n');
      const nm = yaml<NetworkMap>(await mtv('get', 'mapping', 'network', 'net2', '-o', 'yaml'));
      expect(nm.spec.map).toEqual([
        { source: { name: 'B' }, destination: { type: 'multus', name: 'nad-b', namespace: 'ns2' } },
        { source: { name: 'C' }, destination: { type: 'multus', name: 'nad-c', namespace: t.namespace } },
      ]);
      const dup = await run(
        'patch',
        'mapping',
        'network',
        'net2',
        '--add-pairs',
        'B:ignored',
        '--remove-pairs',
        'Z',
      );
      expect(dup.code).toBe(2);
      expect(dup.stderr).toMatch(/--remove-pairs: source "Z" is not mapped/);
      expect(dup.stderr).toMatch(/--add-pairs: source "B" is already mapped/);
    });

    it('loses no change when patches race (conflicts are retried)', async () => {
      await mtv('create', 'mapping', 'network', 'race', '--source', 'vc1', '--network-pairs', 'base:ignored');
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          run('patch', 'mapping', 'network', 'race', '--add-pairs', `src${i}:ignored`),
        ),
      );
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
      const nm = yaml<NetworkMap>(await mtv('get', 'mapping', 'network', 'race', '-o', 'yaml'));
      expect(nm.spec.map.map((p) => p.source.name).sort()).toEqual([
        'base',
        'src1',
        'src2',
        'src3',
        'src4',
        'src5',
      ]);
    });
  });

  describe('hosts and hooks', () => {
    it('creates ESXi hosts with one shared, host-owned Secret', async () => {
      const out = await mtv(
        'create',
        'host',
        '--host-id',
        'host-8,host-9',
        '--provider',
        'vc1',
        '--ip-address',
        '10.0.0.8',
        '-u',
        'root',
        '--password',
        TestSecrets.esxiPassword,
      );
      expect(out).toMatch(
        /^host\/host-8-[0-9a-f]{4} created \(ESXi host host-8 at 10.0.0.8\)\nhost\/host-9-[0-9a-f]{4} created .*\nsecret\/host-8-[0-9a-f]{4}-host-[a-z0-9]{5} created \(ESXi credentials\)\n$/,
      );
      const hosts = (await store.list<Host>(Resources.Host, { namespace: t.namespace })).items;
      const h8 = hosts.find((h) => h.spec.id === 'host-8');
      expect(h8?.spec).toMatchObject({
        id: 'host-8',
        ipAddress: '10.0.0.8',
        provider: { kind: 'Provider', name: 'vc1', namespace: t.namespace },
      });
      expect(h8?.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'Provider',
        name: 'vc1',
        controller: true,
      });
      const secret = await store.get<Secret>(Resources.Secret, t.namespace, h8?.spec.secret.name ?? '');
      expect(decode(secret, 'password')).toBe(TestSecrets.esxiPassword);
      expect(secret.metadata.ownerReferences?.map((r) => r.kind)).toEqual(['Host', 'Host']);
      const table = await mtv('get', 'hosts');
      expect(table).toMatch(/host-8-[0-9a-f]{4}\s+host-8\s+\S*vc1\s+10\.0\.0\.8/);
      await mtv('patch', 'host', h8?.metadata.name ?? '', '--ip-address', '10.0.0.88');
      expect(
        (await store.get<Host>(Resources.Host, t.namespace, h8?.metadata.name ?? '')).spec.ipAddress,
      ).toBe('10.0.0.88');
    });

    it('refuses --ip-address with --network-adapter, and non-vSphere providers', async () => {
      const both = await run(
        'create',
        'host',
        '--host-id',
        'host-1',
        '--provider',
        'vc1',
        '--ip-address',
        '10.0.0.1',
        '--network-adapter',
        'vmk0',
        '-u',
        'root',
        '--password',
        TestSecrets.esxiPassword,
      );
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/--ip-address: cannot be combined with --network-adapter/);
      const wrong = await run(
        'create',
        'host',
        '--host-id',
        'host-1',
        '--provider',
        'host',
        '--ip-address',
        '10.0.0.1',
        '-u',
        'root',
        '--password',
        TestSecrets.esxiPassword,
      );
      expect(wrong.stderr).toMatch(/--provider: must be a vsphere provider; host is openshift/);
    });

    it('creates hooks with a base64 playbook from a file, and AAP hooks', async () => {
      await mtv(
        'create',
        'hook',
        'pre',
        '--playbook',
        '@pre.yaml',
        '--service-account',
        'hooks',
        '--deadline',
        '600',
      );
      const hook = yaml<Hook>(await mtv('get', 'hook', 'pre', '-o', 'yaml'));
      expect(hook.spec).toEqual({
        image: 'quay.io/kubev2v/hook-runner',
        playbook: Buffer.from(playbook).toString('base64'),
        serviceAccount: 'hooks',
        deadline: 600,
      });
      expect(await mtv('describe', 'hook', 'pre')).toContain('msg: hello');
      await mtv(
        'create',
        'hook',
        'aap',
        '--aap-job-template-id',
        '42',
        '--aap-url',
        'https://aap.example.com',
        '--aap-token-secret',
        'aap-token',
      );
      const aap = yaml<Hook>(await mtv('get', 'hook', 'aap', '-o', 'yaml'));
      expect(aap.spec).toEqual({
        aap: {
          jobTemplateId: 42,
          url: 'https://aap.example.com',
          tokenSecret: { name: 'aap-token', namespace: t.namespace },
        },
      });
      await mtv('patch', 'hook', 'aap', '--clear-aap');
      expect(yaml<Hook>(await mtv('get', 'hook', 'aap', '-o', 'yaml')).spec).toEqual({
        image: 'quay.io/kubev2v/hook-runner',
      });
      const broken = await run('create', 'hook', 'broken', '--playbook', '@broken.yaml');
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/--playbook: is not valid YAML \(line \d+, column \d+\)/);
    });
  });

  describe('delete, watch and version', () => {
    it('deletes several providers by name; owned Secrets go with them where a garbage collector runs', async () => {
      await vsphere('del-a');
      await vsphere('del-b');
      const a = yaml<Provider>(await mtv('get', 'provider', 'del-a', '-o', 'yaml'));
      expect(await mtv('delete', 'provider', 'del-a', 'del-b')).toBe(
        'provider/del-a deleted\nprovider/del-b deleted\n',
      );
      expect((await run('get', 'provider', 'del-a')).code).toBe(1);
      const secret = store.get<Secret>(Resources.Secret, t.namespace, a.spec.secret.name ?? '');
      if (mode.name === 'local') await expect(secret).rejects.toThrow(/not found/);
      else expect((await secret).metadata.ownerReferences?.[0]?.uid).toBe(a.metadata.uid); // the test control plane has no garbage collector
      const missing = await run('delete', 'hook', 'pre', 'ghost');
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe('hook/pre deleted\n');
      expect(missing.stderr).toMatch(/hook "ghost" not found/);
    });

    it('get -w prints changes made by another process as they happen', async () => {
      const watcher = startCli(t, ['get', 'providers', '-w', '-o', 'name']);
      await watcher.waitFor(/provider\.forklift\.konveyor\.io\/vc1\n/);
      await vsphere('watched');
      await watcher.waitFor(/provider\.forklift\.konveyor\.io\/watched\n/);
      await mtv('delete', 'provider', 'watched');
      await watcher.waitFor(/watched\n[\s\S]*watched\n/);
      const r = await watcher.stop();
      expect(r.stdout.match(/\/watched$/gm)).toHaveLength(2);
    });

    it('completes commands, flags, enumerated values and object names', async () => {
      const complete = async (...words: string[]): Promise<string[]> =>
        (await mtv('__complete', ...words)).split('\n').filter(Boolean);
      expect(await complete('cre')).toEqual(['create']);
      expect(await complete('create', 'mapping', '')).toEqual(['network', 'storage']);
      expect(await complete('create', 'provider', 'x', '--type', 'v')).toEqual(['vsphere']);
      await vsphere('comp-a');
      await vsphere('comp-b');
      expect(await complete('get', 'provider', 'comp')).toEqual(['comp-a', 'comp-b']);
      expect(await complete('create', 'mapping', 'network', 'n', '--source', 'comp-')).toEqual([
        'comp-a',
        'comp-b',
      ]);
      expect(await complete('create', 'provider', '--provider-ins')).toEqual([
        '--provider-insecure-skip-tls',
      ]);
      for (const shell of ['bash', 'zsh', 'fish'])
        expect(await mtv('completion', shell)).toContain('__complete');
      execFileSync('bash', ['-n', '-c', await mtv('completion', 'bash')]);
    });

    it('version reports the store and the CRDs', async () => {
      const info = JSON.parse(await mtv('version', '-o', 'json')) as {
        clientVersion: string;
        store: { mode: string; crds: { installed: boolean }[] };
      };
      expect(info.clientVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(info.store.mode).toBe(mode.name);
      expect(info.store.crds).toHaveLength(7);
      expect(info.store.crds.every((c) => c.installed)).toBe(true);
      expect(await mtv('version')).toMatch(/CRDs:\s+installed \(\d+\.\d+\.\d+\)/);
    });
  });

  it('printed no credential in any command of this suite', () => {
    expect(transcript.length).toBeGreaterThan(40);
    expect(findSecrets(transcript.join('\n'))).toEqual([]);
  });
});

describe('mtv in a pipeline', () => {
  it('stops quietly when the reader closes the pipe early (| head, | grep -q)', () => {
    // `head -c 1` reads one byte and exits; mtv's next writes hit a closed pipe (EPIPE).
    const mtvBin = JSON.stringify(path.join(repoRoot, 'dist/mtv.js'));
    const r = spawnSync(
      'bash',
      ['-c', `node ${mtvBin} create plan --help | head -c 1; echo " mtv=\${PIPESTATUS[0]}"`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toBe('U mtv=0\n');
    expect(r.stderr).toBe('');
  });
});
