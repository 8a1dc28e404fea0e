/**
 * Regenerates `deploy/crds/*.yaml` and `src/gen/crd-schemas.json` from the types in `src/api/`.
 * Usage: `npm run gen`.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCrds } from './crd-gen/generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const out = generateCrds(version);

const crdDir = path.join(root, 'deploy/crds');
mkdirSync(crdDir, { recursive: true });
for (const f of readdirSync(crdDir)) if (f.endsWith('.yaml')) rmSync(path.join(crdDir, f));
for (const [name, text] of Object.entries(out.files)) writeFileSync(path.join(crdDir, name), text);

const genDir = path.join(root, 'src/gen');
mkdirSync(genDir, { recursive: true });
writeFileSync(
  path.join(genDir, 'crd-schemas.json'),
  JSON.stringify({ version, extensions: out.extensions, schemas: out.schemas }, null, 1) + '\n',
);
console.log(`wrote ${Object.keys(out.files).length} CRDs to deploy/crds/ and src/gen/crd-schemas.json`);
console.log(`mtv extensions: ${out.extensions.join(', ') || 'none'}`);
