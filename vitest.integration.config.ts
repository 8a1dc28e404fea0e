import { defineConfig } from 'vitest/config';

// Integration tests: real kube-apiserver + etcd (scripts/kube-testbed.sh), the built CLI, real files.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
