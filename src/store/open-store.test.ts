import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseStoreMode, openStore, resolveMtvHome } from './open-store.js';

const home = (): string => mkdtempSync(path.join(tmpdir(), 'mtv-home-'));

describe('store mode selection', () => {
  it('uses local mode, with a notice, when no kubeconfig exists', async () => {
    const h = home();
    const opened = await openStore({ env: { MTV_HOME: path.join(h, 'mtv') }, homeDir: h });
    expect(opened.mode).toBe('local');
    expect(opened.notice).toMatch(
      /no kubeconfig found; using the local store in .*mtv \(choose with --store kube\|local\)/,
    );
    await opened.store.close();
  });

  it('prefers kube mode when a kubeconfig is configured, without a notice', () => {
    const h = home();
    mkdirSync(path.join(h, '.kube'));
    writeFileSync(path.join(h, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
    expect(chooseStoreMode({ env: {}, homeDir: h })).toMatchObject({ mode: 'kube', implicit: true });
    expect(chooseStoreMode({ env: { MTV_STORE: 'local' }, homeDir: h })).toMatchObject({
      mode: 'local',
      implicit: false,
    });
    expect(chooseStoreMode({ store: 'local', env: { MTV_STORE: 'kube' }, homeDir: h })).toMatchObject({
      mode: 'local',
    });
  });

  it('refuses kube mode without a kubeconfig and unknown modes, naming the source', () => {
    const h = home();
    expect(() => chooseStoreMode({ store: 'kube', env: {}, homeDir: h })).toThrow(
      /--store: kube mode needs a kubeconfig/,
    );
    expect(() => chooseStoreMode({ env: { MTV_STORE: 'cloud' }, homeDir: h })).toThrow(
      /MTV_STORE: must be kube or local \(got "cloud"\)/,
    );
    expect(() => chooseStoreMode({ kubeconfig: '/nonexistent', env: {}, homeDir: h })).toThrow(
      /--kubeconfig: file does not exist/,
    );
  });

  it('puts $MTV_HOME under the user data directory by default', () => {
    expect(resolveMtvHome({}, '/home/u')).toBe('/home/u/.local/share/mtv');
    expect(resolveMtvHome({ XDG_DATA_HOME: '/data' }, '/home/u')).toBe('/data/mtv');
    expect(resolveMtvHome({ MTV_HOME: '/x/y' }, '/home/u')).toBe('/x/y');
  });
});
