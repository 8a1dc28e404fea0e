// Bundles the CLI into dist/mtv.js (+ lazily loaded chunks) with esbuild. Dependencies stay in
// node_modules (better-sqlite3 is native); our own modules are split so `--help` loads little.
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { mtv: 'src/cli/bin.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  define: { MTV_VERSION: JSON.stringify(version) },
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(new URL('../dist/mtv.js', import.meta.url), 0o755);
console.log(`built dist/mtv.js (mtv ${version})`);
