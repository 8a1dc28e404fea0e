import { defineConfig } from 'vitest/config';

// Unit tests: beside the code, no servers.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/support/**/*.test.ts'],
    testTimeout: 20_000,
    coverage: { include: ['src/**'], exclude: ['src/gen/**', '**/*.test.ts'] },
  },
});
