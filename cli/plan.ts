/**
 * `npm run plan -- …`: the capacity planner and manifest generator for k6-operator.
 *
 *   plan [--tps 1000] [--mode collect|wait|e2e|outbound] [--profile load|smoke|soak|ramp|breakpoint]
 *        [--latency-ms N] [--runner-cpu 2] [--runner-memory 4Gi] [--parallelism N] [--out DIR] …
 *   plan regenerate      rewrite the checked-in manifests (k6-operator/manifests/, from
 *                        planner/manifests/presets.ts) and dashboard
 *   plan bundle          copy dist/*.js into every k6-operator/manifests/<dir>/scripts/
 *
 * Exit codes: 0 planned/written, 2 invalid flags, 3 plan refused (it would idle or starve a
 * runner), 4 a generated manifest failed the CRD schema, 1 anything else.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parseDurationMs } from '../lib/config/duration.ts';
import {
  MAX_VU_HEADROOM,
  MIN_VU_HEADROOM,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
} from '../lib/config/profiles.ts';
import { PLAN_MODES, type PlanMode } from '../lib/plan/modes.ts';
import { MAX_PARALLELISM } from '../lib/plan/segments.ts';
import { type FlagValues, parseFlags, UsageError } from '../node/cli-args.ts';
import { copyBundles } from '../planner/manifests/bundle.ts';
import {
  compileTestRunValidator,
  crdAvailable,
  crdPath,
  type TestRunValidator,
} from '../planner/manifests/crd-schema.ts';
import {
  MANIFESTS_DIR,
  OPERATOR_DIR,
  type Rendered,
  renderAll,
  renderPlan,
  writeRendered,
} from '../planner/manifests/generate.ts';
import { DEFAULT_DEPLOY } from '../planner/manifests/presets.ts';
import {
  bundleCopyPath,
  checkTestRunName,
  type DeployOptions,
  scriptFile,
} from '../planner/manifests/testrun.ts';
import { makePlan, type Plan, type PlanInput, PlanRefused } from '../planner/planner.ts';
import { parseCpu, parseMemory } from '../planner/quantity.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, schema: 4 } as const;

const USAGE = `usage: npm run plan -- [flags]            plan a distributed run (and write manifests with --out)
       npm run plan -- regenerate          rewrite k6-operator/manifests/* and the Grafana dashboard
       npm run plan -- bundle [--manifests DIR] [--dist DIR]
                                           copy dist/*.js next to each kustomization (after npm run build)

plan flags:
  --tps N                 TARGET_TPS, whole test (default: the profile's, 1000; smoke 5)
  --mode M                collect | wait | e2e | outbound (default collect)
  --profile P             smoke | load | soak | ramp | breakpoint (default load)
  --duration D            DURATION, k6 form: 30s, 10m, 1h30m (default: the profile's)
  --latency-ms N          latency of what holds a VU, ms (default: per mode)
  --headroom X            VU headroom over Little's law, ${MIN_VU_HEADROOM} to ${MAX_VU_HEADROOM} (default 2)
  --runner-cpu Q          CPU one runner may use: 2, 1.5, 500m (default 2)
  --runner-memory Q       memory one runner may use: 4Gi, 512Mi (default 4Gi)
  --parallelism N         runners (default: the smallest that fits the runner size)
  --vus N                 total VUs instead of Little's law (must be a multiple of the parallelism)
  --name NAME             TestRun name (default mojaloop-<profile>)
  --image IMAGE           runner and initializer image, pinned (default grafana/k6:2.2.0)
  --starter-image IMAGE   starter image, pinned (default ghcr.io/grafana/k6-operator:starter-v1.6.0)
  --hub-url URL           HUB_URL        --relay-url URL     RELAY_URL     --outbound-url URL  OUTBOUND_URL
  --prometheus-url URL    remote-write endpoint, or "none"
  --no-native-histograms  send Trends as per-runner percentile gauges instead
  --results-pvc NAME      ReadWriteMany PVC for per-runner --out json files and summaries
  --separate              one runner per node (needs >= parallelism nodes)
  --cleanup               cleanup: post (the operator deletes pods and their logs at the end)
  --legacy-arguments      'arguments' string instead of 'args' (k6-operator < 1.6)
  --out DIR               write DIR/<name>/{testrun,pdb,kustomization}.yaml (+ scripts/ when dist/ is built)
  --json                  print the plan as JSON instead of text`;

const FLAGS = {
  tps: { type: 'string' },
  mode: { type: 'string' },
  profile: { type: 'string' },
  duration: { type: 'string' },
  'latency-ms': { type: 'string' },
  headroom: { type: 'string' },
  'runner-cpu': { type: 'string' },
  'runner-memory': { type: 'string' },
  parallelism: { type: 'string' },
  vus: { type: 'string' },
  name: { type: 'string' },
  image: { type: 'string' },
  'starter-image': { type: 'string' },
  'hub-url': { type: 'string' },
  'relay-url': { type: 'string' },
  'outbound-url': { type: 'string' },
  'prometheus-url': { type: 'string' },
  'no-native-histograms': { type: 'boolean' },
  'results-pvc': { type: 'string' },
  separate: { type: 'boolean' },
  cleanup: { type: 'boolean' },
  'legacy-arguments': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  manifests: { type: 'string' },
  dist: { type: 'string' },
} as const;

type Values = FlagValues<typeof FLAGS>;

function number(v: string, flag: string, expected: string, ok: (n: number) => boolean): number {
  const n = /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${flag}: expected ${expected}, got ${JSON.stringify(v)}`);
  return n;
}

function oneOf<T extends string>(v: string, flag: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${flag}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function url(v: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(
      `--${flag}: expected an http(s) URL such as http://host:4300, got ${JSON.stringify(v)}`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--${flag}: expected an http(s) URL, got ${JSON.stringify(v)}`);
  }
  return v.replace(/\/+$/, '');
}

function image(v: string, flag: string): string {
  const ref = v.trim();
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const pinned = ref.includes('@sha256:') || (lastSegment.includes(':') && !lastSegment.endsWith(':latest'));
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(ref) || !pinned) {
    throw new UsageError(
      `--${flag}: expected a pinned image (name:version or name@sha256:…), not latest, got ${JSON.stringify(v)}`,
    );
  }
  return ref;
}

function dnsName(v: string, flag: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) || v.length > 63) {
    throw new UsageError(
      `--${flag}: expected a Kubernetes name (lower-case letters, digits, '-'), got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Plan input and deploy options from parsed flags; throws UsageError naming the flag. */
export function fromFlags(v: Values): { input: PlanInput; deploy: DeployOptions } {
  const profile: ProfileName = v.profile === undefined ? 'load' : oneOf(v.profile, 'profile', PROFILE_NAMES);
  const mode: PlanMode = v.mode === undefined ? 'collect' : oneOf(v.mode, 'mode', PLAN_MODES);
  const spec = PROFILES[profile];
  const tps =
    v.tps === undefined
      ? spec.defaultTps
      : number(v.tps, 'tps', 'a positive number of transfers per second', (n) => n > 0 && n <= 1e6);
  let durationMs: number = spec.defaultDurationMs;
  if (v.duration !== undefined) {
    const ms = parseDurationMs(v.duration);
    if (ms === undefined)
      throw new UsageError(
        `--duration: expected a k6 duration such as 30s, 10m or 1h30m, got ${JSON.stringify(v.duration)}`,
      );
    durationMs = ms;
  }
  const input: PlanInput = {
    tps,
    mode,
    profile,
    durationMs,
    runnerCpuMillicores: 2000,
    runnerMemoryBytes: 4 * 1024 ** 3,
  };
  if (v['latency-ms'] !== undefined) {
    input.latencyMs = number(
      v['latency-ms'],
      'latency-ms',
      'a positive number of milliseconds',
      (n) => n > 0 && n <= 3_600_000,
    );
  }
  if (v.headroom !== undefined) {
    input.headroom = number(
      v.headroom,
      'headroom',
      `a number from ${MIN_VU_HEADROOM} to ${MAX_VU_HEADROOM} such as 1.5`,
      (n) => n >= MIN_VU_HEADROOM && n <= MAX_VU_HEADROOM,
    );
  }
  if (v.parallelism !== undefined) {
    input.parallelism = number(
      v.parallelism,
      'parallelism',
      `an integer 1..${MAX_PARALLELISM}`,
      (n) => Number.isInteger(n) && n >= 1 && n <= MAX_PARALLELISM,
    );
  }
  if (v.vus !== undefined) {
    input.vus = number(
      v.vus,
      'vus',
      'a positive integer',
      (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000,
    );
  }
  try {
    if (v['runner-cpu'] !== undefined) input.runnerCpuMillicores = parseCpu(v['runner-cpu'], '--runner-cpu');
    if (v['runner-memory'] !== undefined)
      input.runnerMemoryBytes = parseMemory(v['runner-memory'], '--runner-memory');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let prometheusUrl: string | null = DEFAULT_DEPLOY.prometheusUrl;
  if (v['prometheus-url'] !== undefined) {
    prometheusUrl = v['prometheus-url'] === 'none' ? null : url(v['prometheus-url'], 'prometheus-url');
  }
  const deploy: DeployOptions = {
    ...DEFAULT_DEPLOY,
    name: v.name === undefined ? `mojaloop-${profile}` : dnsName(v.name, 'name'),
    runnerImage: v.image === undefined ? DEFAULT_DEPLOY.runnerImage : image(v.image, 'image'),
    starterImage:
      v['starter-image'] === undefined
        ? DEFAULT_DEPLOY.starterImage
        : image(v['starter-image'], 'starter-image'),
    hubUrl: v['hub-url'] === undefined ? DEFAULT_DEPLOY.hubUrl : url(v['hub-url'], 'hub-url'),
    relayUrl: v['relay-url'] === undefined ? DEFAULT_DEPLOY.relayUrl : url(v['relay-url'], 'relay-url'),
    outboundUrl:
      v['outbound-url'] === undefined ? DEFAULT_DEPLOY.outboundUrl : url(v['outbound-url'], 'outbound-url'),
    prometheusUrl,
    nativeHistograms: !v['no-native-histograms'],
    resultsPvc: v['results-pvc'] === undefined ? null : dnsName(v['results-pvc'], 'results-pvc'),
    separate: v.separate === true,
    cleanup: v.cleanup === true,
    argsStyle: v['legacy-arguments'] ? 'arguments' : 'args',
  };
  return { input, deploy };
}

function parse(argv: string[]): { command: string; values: Values } {
  const { values, positionals } = parseFlags(argv, FLAGS, { positionals: true });
  if (positionals.length > 1)
    throw new UsageError(`expected at most one command, got ${positionals.join(' ')}`);
  const command = positionals[0] ?? 'plan';
  if (!['plan', 'regenerate', 'bundle'].includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}: expected plan, regenerate or bundle`);
  }
  return { command, values };
}

function validator(io: Io): TestRunValidator | undefined {
  if (!crdAvailable()) {
    io.err(
      `note: no TestRun CRD at ${crdPath() ?? '(K6_OPERATOR_CRD unset)'}; schema check skipped (set K6_OPERATOR_CRD to the k6-operator v1.6.0 k6.io_testruns.yaml: docs/facts/operator.md#crd)\n`,
    );
    return undefined;
  }
  return compileTestRunValidator();
}

/** Validates every testrun.yaml of a rendering; returns the problems. */
function schemaProblems(files: Rendered, validate: TestRunValidator | undefined): string[] {
  if (!validate) return [];
  const problems: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    if (!rel.endsWith('testrun.yaml')) continue;
    for (const p of validate(YAML.parse(text))) problems.push(`${rel}: ${p}`);
  }
  return problems;
}

function planJson(plan: Plan): unknown {
  const { run: _run, ...rest } = plan;
  return {
    // `targetTps` and `parallelism` at the top level: the analyzer reads this file with --run-config.
    targetTps: plan.tps,
    ...rest,
    runners: plan.runners.map((r) => ({ ...r, share: `${r.share.n}/${r.share.d}` })),
  };
}

function runPlan(values: Values, io: Io): number {
  const { input, deploy } = fromFlags(values);
  let plan: Plan;
  try {
    plan = makePlan(input);
  } catch (e) {
    if (e instanceof PlanRefused) {
      if (e.arithmetic.length > 0) io.err(`${e.arithmetic.join('\n')}\n\n`);
      io.err(`${e.message}\n`);
      return EXIT.refused;
    }
    throw e;
  }
  const nameProblems = checkTestRunName(deploy.name, plan.parallelism);
  if (nameProblems.length > 0) throw new UsageError(nameProblems.join('; '));
  const files = renderPlan(plan, deploy, '`npm run plan`');
  const problems = schemaProblems(files, validator(io));
  if (values.json) io.out(`${JSON.stringify(planJson(plan), null, 2)}\n`);
  else io.out(`${plan.arithmetic.join('\n')}\n${plan.warnings.map((w) => `warning: ${w}\n`).join('')}`);
  if (problems.length > 0) {
    io.err(`generated TestRun fails the CRD schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return EXIT.schema;
  }
  if (values.out === undefined) {
    if (!values.json)
      io.out(`\n--- testrun.yaml (write all files with --out DIR) ---\n${files['testrun.yaml']}`);
    return EXIT.ok;
  }
  const dir = path.resolve(values.out, deploy.name);
  for (const f of writeRendered(dir, files)) io.err(`wrote ${path.relative(process.cwd(), f)}\n`);
  const bundle = path.join(root, 'dist', scriptFile(plan));
  if (existsSync(bundle)) {
    const target = path.join(dir, bundleCopyPath(plan));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(bundle, target);
    io.err(`copied dist/${scriptFile(plan)} → ${path.relative(process.cwd(), target)}\n`);
  } else {
    io.err(
      `note: dist/${scriptFile(plan)} not built yet: run npm run build, then npm run plan -- bundle --manifests ${values.out}\n`,
    );
  }
  io.err(`apply: kubectl apply --server-side -k ${path.relative(process.cwd(), dir) || '.'}\n`);
  return EXIT.ok;
}

function runRegenerate(io: Io): number {
  const files = renderAll();
  const problems = schemaProblems(files, validator(io));
  if (problems.length > 0) {
    io.err(`generated TestRun fails the CRD schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return EXIT.schema;
  }
  for (const f of writeRendered(OPERATOR_DIR, files)) io.out(`wrote ${path.relative(root, f)}\n`);
  return EXIT.ok;
}

function runBundle(values: Values, io: Io): number {
  const manifests = values.manifests === undefined ? MANIFESTS_DIR : path.resolve(values.manifests);
  const dist = values.dist === undefined ? path.join(root, 'dist') : path.resolve(values.dist);
  for (const c of copyBundles(manifests, dist)) {
    io.out(`${path.relative(root, path.join(c.dir, c.file))}  ${(c.bytes / 1024).toFixed(1)} KiB\n`);
  }
  return EXIT.ok;
}

/** The CLI, testable: returns the exit code. */
export function runPlanCli(argv: string[], io: Io): number {
  try {
    const { command, values } = parse(argv);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (command === 'regenerate') return runRegenerate(io);
    if (command === 'bundle') return runBundle(values, io);
    return runPlan(values, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`plan: ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(`plan: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = runPlanCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
