/**
 * Bundles k6 entry points with esbuild and checks each bundle (build/bundle-check.ts).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { type BundleViolation, checkBundle, checkTotalSize } from './bundle-check.ts';
import { K6_BUILD_OPTIONS } from './esbuild-options.ts';
import { lazyUnitsPlugin } from './lazy-units.ts';

export interface BuiltBundle {
  name: string;
  file: string;
  bytes: number;
  code: string;
}

export interface BuildResult {
  bundles: BuiltBundle[];
  violations: BundleViolation[];
}

/** The k6 entry points: every `*.ts` directly under `dir`. */
export async function findEntries(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Bundles `entries` into `outdir/<name>.js` (written only when `write` is true) and checks them. */
export async function bundleEntries(entries: string[], outdir: string, write = true): Promise<BuildResult> {
  const bundles: BuiltBundle[] = [];
  const violations: BundleViolation[] = [];
  if (write) await mkdir(outdir, { recursive: true });
  for (const entry of entries) {
    const name = path.basename(entry, '.ts');
    const file = path.join(outdir, `${name}.js`);
    let code: string;
    try {
      const result = await build({
        ...K6_BUILD_OPTIONS,
        entryPoints: [entry],
        outfile: file,
        plugins: [lazyUnitsPlugin(K6_BUILD_OPTIONS)],
      });
      code = result.outputFiles?.[0]?.text ?? '';
    } catch (e) {
      const errors =
        (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> })
          .errors ?? [];
      const detail = errors.length
        ? errors
            .map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`)
            .join('; ')
        : (e as Error).message;
      violations.push({ bundle: `${name}.js`, rule: 'import', detail: `esbuild failed: ${detail}` });
      continue;
    }
    violations.push(...checkBundle(`${name}.js`, code));
    if (write) await writeFile(file, code);
    bundles.push({ name, file, bytes: Buffer.byteLength(code, 'utf8'), code });
  }
  violations.push(...checkTotalSize(bundles.map((b) => ({ name: b.name, bytes: b.bytes }))));
  return { bundles, violations };
}
