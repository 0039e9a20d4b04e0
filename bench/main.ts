/**
 * `npm run bench [-- name ...]`: runs the benchmarks and prints their figures.
 * Speed and memory targets live here, never in unit tests (CI machines are noisy).
 *
 * Each bench module exports `run(): Promise<void>` and prints its own table.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCHES = ['protocol', 'detectors', 'sim', 'scenarios', 'analyzer'] as const;
const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(BENCHES as readonly string[]).includes(w));
  if (unknown.length > 0) {
    console.error(
      `bench: unknown benchmark(s) ${unknown.join(', ')}; expected some of: ${BENCHES.join(', ')}`,
    );
    return 2;
  }
  const selected = wanted.length > 0 ? wanted : [...BENCHES];
  for (const name of selected) {
    const file = path.join(here, `${name}.ts`);
    if (!existsSync(file)) {
      console.log(`\n## ${name}: not present`);
      continue;
    }
    console.log(`\n## ${name}`);
    const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') {
      console.error(`bench/${name}.ts exports no run()`);
      return 1;
    }
    await mod.run();
  }
  return 0;
}

process.exitCode = await main();
