/**
 * `npm start [-- --profile <name>] [--scenario transfers|e2e|outbound] [--mode collect|wait]
 *            [--no-build] [-- <k6 run arguments>]`
 *
 * The one command: builds the k6 bundles, starts the embedded simulator on a free loopback port,
 * runs `k6 run` (smoke profile by default) against it, stops the simulator, and prints where the
 * results are. The exit code is k6's (99 = thresholds failed, 104 = invalid config, ...).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_NONE } from '../lib/config/results-dir.ts';
import { findK6 } from './k6-binary.ts';
import { parseStartArgs, type StartArgs, usage } from './start-args.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Simulator {
  url: string;
  close(): Promise<void> | void;
}

async function build(): Promise<boolean> {
  const { bundleEntries, findEntries } = await import('../build/bundle.ts');
  const { bundles, violations } = await bundleEntries(
    await findEntries(path.join(root, 'scenarios')),
    path.join(root, 'dist'),
  );
  if (violations.length > 0) {
    console.error(`start: the build failed (${violations.length} problem(s)):`);
    for (const v of violations) console.error(`  ${v.bundle}: [${v.rule}] ${v.detail}`);
    return false;
  }
  console.log(`start: built ${bundles.map((b) => `dist/${b.name}.js`).join(', ')}`);
  return true;
}

async function startSim(): Promise<Simulator> {
  const mod = (await import('../sim/simulator.ts')) as {
    startSimulator: (o: { host?: string; port?: number }) => Promise<Simulator>;
  };
  return mod.startSimulator({ host: '127.0.0.1', port: 0 });
}

function runK6(k6: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    // k6 runs in its own process group, so a Ctrl-C in the terminal reaches it once, forwarded
    // from here: k6 stops gracefully on the first SIGINT (teardown drains the relay, the summary is
    // written; exit 105) and hard on a second one, which a terminal's group-wide signal plus a
    // forwarded copy would amount to.
    const child = spawn(k6, args, { cwd: root, stdio: 'inherit', detached: true });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => {
      console.error(`start: cannot run ${k6}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}

export function k6Arguments(a: StartArgs, hubUrl: string, resultsDir: string): string[] {
  const env: Record<string, string> = {
    PROFILE: a.profile,
    HUB_URL: hubUrl,
    RESULTS_DIR: resultsDir,
  };
  if (a.mode) env.MODE = a.mode;
  if (a.scenario === 'outbound') env.OUTBOUND_URL = `${hubUrl}/dfsp/payerfsp/outbound`;
  const out = ['run'];
  for (const [k, v] of Object.entries(env)) out.push('-e', `${k}=${v}`);
  out.push(...a.passthrough, path.join('dist', `${a.scenario}.js`));
  return out;
}

async function main(): Promise<number> {
  const parsed = parseStartArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(`start: ${parsed.error}\n\n${usage()}`);
    return 2;
  }
  const args = parsed.args;
  if (args.help) {
    console.log(usage());
    return 0;
  }
  const found = findK6();
  if (!found.ok) {
    console.error(`start: ${found.message}`);
    return 1;
  }
  console.log(`start: using ${found.k6.path} (${found.k6.version})`);
  if (args.build && !(await build())) return 1;
  const bundle = path.join(root, 'dist', `${args.scenario}.js`);
  if (!existsSync(bundle)) {
    console.error(`start: ${path.relative(root, bundle)} does not exist; run without --no-build`);
    return 1;
  }
  const resultsDir = process.env.RESULTS_DIR ?? 'results';
  const files = resultsDir.trim() !== RESULTS_NONE;
  // Absolute for k6, which checks it in its init context (lib/config/results-dir.ts).
  if (files) mkdirSync(path.resolve(root, resultsDir), { recursive: true });
  const sim = await startSim();
  console.log(`start: simulator listening on ${sim.url}`);
  let code: number;
  try {
    code = await runK6(
      found.k6.path,
      k6Arguments(args, sim.url, files ? path.resolve(root, resultsDir) : RESULTS_NONE),
    );
  } finally {
    await sim.close();
    console.log('start: simulator stopped');
  }
  const base = path.join(resultsDir, args.scenario);
  console.log(
    files
      ? `start: results in ${base}-result.json, ${base}-summary.txt and ${base}-junit.xml (k6 exit code ${code})`
      : `start: no result files (RESULTS_DIR=none; k6 exit code ${code})`,
  );
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
