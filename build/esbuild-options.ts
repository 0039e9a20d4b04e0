import type { BuildOptions } from 'esbuild';

/**
 * esbuild settings for bundles that stock k6 (>= 1.0, Sobek engine) loads.
 * Each choice follows docs/facts/k6.md#esbuild-target and #js-engine.
 */
export const K6_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  // k6 has native ES modules since v0.53; ESM keeps `export const options` and `handleSummary` as is.
  format: 'esm',
  // No Node resolution, no Node built-ins: anything that needs Node fails to resolve here.
  platform: 'neutral',
  mainFields: ['module', 'main'],
  // Sobek parses ES2020+ but not async generators nor `for await`: have esbuild lower those.
  target: 'es2020',
  supported: { 'async-generator': false, 'for-await': false },
  // Only k6's own modules stay imports; everything else is bundled (clusters are often air-gapped).
  external: ['k6', 'k6/*'],
  // One file per scenario: no chunks, so no dynamic import() survives (k6 rejects it at run time).
  splitting: false,
  // Readable bundles: people debug them from k6 stack traces. Size is checked, not minified away.
  // Minifying would not save memory either: every VU evaluates the bundle, but measured with k6 2.2
  // at 100 VUs, `minify: true` (219 → 126 KiB) changed peak RSS by under 1% (~185 MB either way):
  // per-VU memory follows the objects and functions the modules create, not the source text.
  minify: false,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'silent',
  metafile: true,
  write: false,
};
