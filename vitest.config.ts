import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `k6` and `k6/*` exist only inside k6. Tests that run k6-side code (the scenarios, lib/k6/) get the
 * fake modules of test/fakes/k6/ instead (the alias-shim pattern of grafana/k6-jslib-testing).
 * The aliases match those exact specifiers only, so no other import is affected.
 */
const fake = (name: string): string => fileURLToPath(new URL(`./test/fakes/k6/${name}.ts`, import.meta.url));
const K6_FAKES = [
  { find: /^k6$/, replacement: fake('k6') },
  { find: /^k6\/http$/, replacement: fake('http') },
  { find: /^k6\/execution$/, replacement: fake('execution') },
  { find: /^k6\/metrics$/, replacement: fake('metrics') },
  { find: /^k6\/crypto$/, replacement: fake('crypto') },
  { find: /^k6\/encoding$/, replacement: fake('encoding') },
];

export default defineConfig({
  resolve: { alias: K6_FAKES },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
