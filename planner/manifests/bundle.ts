/**
 * Copies the built bundles (dist/<name>.js, `npm run build`) into each kustomization directory's
 * `scripts/` folder, where its configMapGenerator reads them. Kustomize's load restrictor refuses
 * files outside the kustomization directory, so a reference to ../../../dist would not build.
 * The copies are gitignored (`/k6-operator/**\/scripts/*.js`).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface BundleCopy {
  dir: string;
  file: string;
  from: string;
  bytes: number;
}

/** The `key=path` entries of a kustomization's configMapGenerators. */
export function generatorFiles(kustomizationText: string): Array<{ key: string; file: string }> {
  const doc = YAML.parse(kustomizationText) as { configMapGenerator?: Array<{ files?: string[] }> } | null;
  const out: Array<{ key: string; file: string }> = [];
  for (const gen of doc?.configMapGenerator ?? []) {
    for (const entry of gen.files ?? []) {
      const eq = entry.indexOf('=');
      const file = eq < 0 ? entry : entry.slice(eq + 1);
      out.push({ key: eq < 0 ? path.basename(entry) : entry.slice(0, eq), file });
    }
  }
  return out;
}

/**
 * For every kustomization under `manifestsRoot` (one level deep), copies `dist/<key>` to the path
 * its generator names. Throws, naming the missing file, when a bundle has not been built.
 */
export function copyBundles(manifestsRoot: string, distDir: string): BundleCopy[] {
  const copies: BundleCopy[] = [];
  if (!existsSync(manifestsRoot)) throw new Error(`${manifestsRoot}: no such directory`);
  for (const entry of readdirSync(manifestsRoot).sort()) {
    const dir = path.join(manifestsRoot, entry);
    const kfile = path.join(dir, 'kustomization.yaml');
    if (!statSync(dir).isDirectory() || !existsSync(kfile)) continue;
    for (const { key, file } of generatorFiles(readFileSync(kfile, 'utf8'))) {
      const from = path.join(distDir, key);
      if (!existsSync(from)) throw new Error(`${from}: bundle not found; run npm run build first`);
      const target = path.resolve(dir, file);
      if (!target.startsWith(dir + path.sep))
        throw new Error(`${kfile}: ${file} is outside the kustomization directory`);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(from, target);
      copies.push({ dir, file, from, bytes: statSync(target).size });
    }
  }
  return copies;
}
