import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCrds, type GeneratedCrds, type SchemaNode } from './generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgVersion = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Every `Kind.spec.x[].y` path of a generated schema, in the fixture's notation: an array is listed
 * once by its own path, its elements' fields under `x[]`; map values are not descended into.
 */
function schemaPaths(kind: string, schema: SchemaNode): string[] {
  const out: string[] = [];
  const walk = (node: SchemaNode, at: string, listed = true): void => {
    if (listed) out.push(at);
    if (node.properties) for (const [k, v] of Object.entries(node.properties)) walk(v, `${at}.${k}`);
    if (node.items) walk(node.items, `${at}[]`, false);
  };
  for (const top of ['spec', 'status'] as const) {
    const node = schema.properties?.[top];
    if (node) walk(node, `${kind}.${top}`);
  }
  return out;
}

function forkliftPaths(): string[] {
  return readFileSync(path.join(root, 'test/fixtures/forklift-v1beta1-paths.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

describe('CRD generation', () => {
  let gen: GeneratedCrds;
  beforeAll(() => {
    gen = generateCrds(pkgVersion);
  }, 60_000);

  it('deploy/crds/ holds exactly what the types generate (run `npm run gen` after changing src/api/)', () => {
    const dir = path.join(root, 'deploy/crds');
    const committed = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
    );
    expect(Object.keys(committed).sort()).toEqual(Object.keys(gen.files).sort());
    for (const [name, text] of Object.entries(gen.files)) expect(committed[name], name).toBe(text);
  });

  it('src/gen/crd-schemas.json matches the generated schemas', () => {
    const committed = JSON.parse(
      readFileSync(path.join(root, 'src/gen/crd-schemas.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual({ version: pkgVersion, extensions: gen.extensions, schemas: gen.schemas });
  });

  it('every field of Forklift v1beta1 exists in our schemas', () => {
    const ours = new Set(Object.entries(gen.schemas).flatMap(([k, s]) => schemaPaths(k, s)));
    const missing = forkliftPaths().filter((p) => !ours.has(p));
    expect(missing).toEqual([]);
  });

  it('every field of ours is Forklift’s or a declared mtv extension', () => {
    const theirs = new Set(forkliftPaths());
    const extra = Object.entries(gen.schemas)
      .flatMap(([k, s]) => schemaPaths(k, s))
      .filter((p) => !theirs.has(p));
    expect(extra.sort()).toEqual([...gen.extensions].sort());
  });

  it('enumerated strings Kubernetes would read as booleans are quoted', () => {
    const plans = gen.files['forklift.konveyor.io_plans.yaml'] ?? '';
    expect(plans).toContain('- "on"');
    expect(plans).not.toMatch(/- on$/m);
  });

  it('ObjectReference and Affinity are atomic, as in Forklift', () => {
    const spec = gen.schemas.Plan.properties?.spec?.properties;
    expect(spec?.targetAffinity?.['x-kubernetes-map-type']).toBe('atomic');
    expect(spec?.transferNetwork?.['x-kubernetes-map-type']).toBe('atomic');
    expect(spec?.targetLabels?.['x-kubernetes-map-type']).toBeUndefined();
  });
});
