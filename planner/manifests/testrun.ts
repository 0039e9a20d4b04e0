/**
 * Builds the Kubernetes objects of one distributed run from a plan (lib/plan/planner.ts): the
 * k6-operator TestRun, a PodDisruptionBudget for its runners, and the kustomization that generates
 * the script ConfigMap from the bundle. Plain objects; generate.ts serialises them.
 *
 * Choices, each for a failure seen with k6-operator (docs/facts/operator.md):
 * - images pinned (runner, initializer, starter): the defaults are `:latest`;
 * - requests = limits on every pod (Guaranteed QoS): `runner.resources` has no default, and a
 *   BestEffort runner is the first to be evicted or starved;
 * - relaxed liveness/readiness probes: the defaults (1 s timeout on /v1/status) kill busy runners;
 * - `args` (operator ≥ 1.6) so values are exact argv elements; `arguments` (one string, split on
 *   whitespace, no quoting) for older operators;
 * - run tags as CLI `--tag` flags, which survive the operator's own `--tag instance_id=… --tag
 *   testrun_name=…` (same config layer), plus `--features merge-run-tags` so the script's
 *   `options.tags` are kept as well (docs/facts/k6.md#run-tags);
 * - `paused`/`quiet` as the strings the CRD wants (a YAML boolean is rejected);
 * - the initializer gets the same env (its `k6 inspect` evaluates the options, which read
 *   PARALLELISM and TARGET_TPS) but small resources of its own.
 */
import { RESULTS_NONE } from '../../lib/config/results-dir.ts';
import { CAPACITY } from '../capacity.ts';
import type { Plan } from '../planner.ts';
import { formatCpu, formatMemory } from '../quantity.ts';

export const RUNNER_IMAGE = 'grafana/k6:2.2.0';
/** The starter image of k6-operator v1.6.0 (the release the reference CRD comes from). */
export const STARTER_IMAGE = 'ghcr.io/grafana/k6-operator:starter-v1.6.0';
/** Port of the k6 REST API that the operator and the probes use. */
const K6_API_PORT = 6565;
/** Mount point of per-runner results when a PVC is given. */
export const RESULTS_MOUNT = '/results';

export interface DeployOptions {
  /** TestRun name (also the prefix of Jobs `<name>-<i>` and Services `<name>-service-<i>`). */
  name: string;
  runnerImage: string;
  starterImage: string;
  hubUrl: string;
  relayUrl: string;
  /** Outbound mode only. */
  outboundUrl?: string;
  /** Prometheus remote-write endpoint; null to send nothing to Prometheus. */
  prometheusUrl: string | null;
  /** Trends as native histograms (mergeable percentiles; needs Prometheus native-histogram support). */
  nativeHistograms: boolean;
  /** A ReadWriteMany PVC for per-runner `--out json` files and handleSummary results; null for none. */
  resultsPvc: string | null;
  /** Required anti-affinity: one runner per node (needs ≥ parallelism schedulable nodes). */
  separate: boolean;
  /** `cleanup: post`: the operator deletes the TestRun, its Jobs and pods (and their logs) when it ends. */
  cleanup: boolean;
  /** `args` (operator ≥ 1.6) or `arguments` (older operators). */
  argsStyle: 'args' | 'arguments';
  /** Extra run tags (`--tag k=v`), besides kit, profile and mode. */
  tags?: Record<string, string>;
}

/** Names the operator derives from the TestRun name must stay DNS labels (≤ 63 characters). */
export function checkTestRunName(name: string, parallelism: number): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    problems.push(
      `name: expected a DNS label (lower-case letters, digits and '-'), got ${JSON.stringify(name)}`,
    );
  }
  const service = `${name}-service-${parallelism}`;
  if (service.length > 63) {
    problems.push(
      `name: the operator's Service name ${service} would be ${service.length} characters (max 63); use a shorter name`,
    );
  }
  return problems;
}

export function scriptConfigMapName(name: string): string {
  return `${name}-script`;
}

export function scriptFile(plan: Plan): string {
  return `${plan.bundle}.js`;
}

function quantity(cpuMillicores: number, memoryBytes: number): Record<string, Record<string, string>> {
  const q = { cpu: formatCpu(cpuMillicores), memory: formatMemory(memoryBytes) };
  return { requests: { ...q }, limits: { ...q } };
}

/**
 * The Go runtime's soft memory limit for the runner. Without it Go lets the heap grow to about twice
 * the live data before collecting: measured with dist/transfers.js at 100 VUs, 173 MB RSS for 74 MB
 * live; with GOMEMLIMIT=100MiB, 130 MB. 80 % of the container limit keeps the GC ahead of the OOM
 * killer while leaving room for non-heap memory. Not given to the initializer (its own, smaller
 * limit; and `k6 archive` would embed it in the archive's env).
 */
const GO_MEMORY_LIMIT = 'GOMEMLIMIT';
export function goMemoryLimit(limitBytes: number): string {
  return `${Math.floor((0.8 * limitBytes) / (1024 * 1024))}MiB`;
}

type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

/** The scenario contract (docs/ARCHITECTURE.md) plus the output settings, in a fixed order. */
export function runnerEnv(plan: Plan, d: DeployOptions): EnvVar[] {
  const env: EnvVar[] = Object.entries(plan.env).map(([name, value]) => ({ name, value }));
  env.push({ name: 'HUB_URL', value: d.hubUrl }, { name: 'RELAY_URL', value: d.relayUrl });
  if (plan.mode === 'outbound') {
    if (!d.outboundUrl)
      throw new Error('outbound-url: required for mode outbound (the DFSP outbound API base URL)');
    env.push({ name: 'OUTBOUND_URL', value: d.outboundUrl });
  }
  // Without a volume a runner has nowhere to keep result files (its working directory is not the
  // kit's): stdout only. The initializer gets `none` either way (initializerEnv).
  env.push({ name: 'RESULTS_DIR', value: d.resultsPvc ? RESULTS_MOUNT : RESULTS_NONE });
  env.push({ name: GO_MEMORY_LIMIT, value: goMemoryLimit(plan.resources.memoryBytes) });
  if (d.prometheusUrl) {
    env.push(
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: d.prometheusUrl },
      // Used only without native histograms: per-runner gauges (not mergeable across runners).
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: 'p(50),p(95),p(99),max,count' },
      // A runner that ends cleanly marks its series stale; one that was killed just stops.
      { name: 'K6_PROMETHEUS_RW_STALE_MARKERS', value: 'true' },
    );
  }
  if (d.resultsPvc) env.push({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  const seen = new Set<string>();
  for (const e of env) {
    if (seen.has(e.name)) throw new Error(`env: ${e.name} is set twice`);
    seen.add(e.name);
  }
  return env;
}

/** The k6 flags after the operator's segment flags. */
export function k6Args(plan: Plan, d: DeployOptions): string[] {
  const args: string[] = [];
  if (d.prometheusUrl) args.push('--out', 'experimental-prometheus-rw');
  if (d.resultsPvc) args.push('--out', `json=${RESULTS_MOUNT}/k6.json.gz`);
  args.push(
    '--features',
    d.nativeHistograms && d.prometheusUrl ? 'native-histograms,merge-run-tags' : 'merge-run-tags',
  );
  const tags: Record<string, string> = {
    kit: 'mojaloop-k6',
    profile: plan.profile,
    mode: plan.mode,
    ...(d.tags ?? {}),
  };
  for (const [k, v] of Object.entries(tags)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || !/^[A-Za-z0-9_.:/-]+$/.test(v)) {
      throw new Error(
        `tag: ${k}=${v} must be a name=value without spaces or quotes (the operator splits arguments on whitespace)`,
      );
    }
    args.push('--tag', `${k}=${v}`);
  }
  args.push('--no-usage-report');
  return args;
}

function probe(p: {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}) {
  return { httpGet: { path: '/v1/status', port: K6_API_PORT }, ...p };
}

const SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function labels(plan: Plan, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'mojaloop-k6',
    'app.kubernetes.io/component': component,
    'mojaloop-k6/profile': plan.profile,
  };
}

/** The TestRun object. */
export function buildTestRun(plan: Plan, d: DeployOptions): Record<string, unknown> {
  const nameProblems = checkTestRunName(d.name, plan.parallelism);
  if (nameProblems.length > 0) throw new Error(nameProblems.join('; '));
  const env = runnerEnv(plan, d);
  const args = k6Args(plan, d);
  const runner: Record<string, unknown> = {
    image: d.runnerImage,
    imagePullPolicy: 'IfNotPresent',
    metadata: { labels: labels(plan, 'runner') },
    env,
    resources: quantity(plan.resources.cpuMillicores, plan.resources.memoryBytes),
    // 30 s + 8 × 15 s of unanswered /v1/status (10 s timeout each) before the kubelet kills a busy runner.
    livenessProbe: probe(CAPACITY.livenessProbe),
    readinessProbe: probe(CAPACITY.readinessProbe),
    containerSecurityContext: SECURITY,
  };
  if (!d.separate) {
    // Soft spreading over nodes; `separate: true` replaces it with a hard one-runner-per-node rule.
    runner.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { k6_cr: d.name, runner: 'true' } },
      },
    ];
  }
  if (d.resultsPvc) {
    runner.volumes = [{ name: 'results', persistentVolumeClaim: { claimName: d.resultsPvc } }];
    // One directory per runner pod on the shared volume: every runner writes the same file name.
    runner.volumeMounts = [{ name: 'results', mountPath: RESULTS_MOUNT, subPathExpr: '$(POD_NAME)' }];
  }
  const spec: Record<string, unknown> = {
    parallelism: plan.parallelism,
    script: { configMap: { name: scriptConfigMapName(d.name), file: scriptFile(plan) } },
    separate: d.separate,
  };
  if (d.argsStyle === 'args') spec.args = args;
  else spec.arguments = args.join(' ');
  spec.paused = 'true';
  spec.quiet = 'true';
  if (d.cleanup) spec.cleanup = 'post';
  spec.runner = runner;
  spec.initializer = {
    image: d.runnerImage,
    imagePullPolicy: 'IfNotPresent',
    metadata: { labels: labels(plan, 'initializer') },
    // Only `env` reaches the initializer's `k6 archive`/`k6 inspect`, and the options depend on it.
    // RESULTS_DIR is checked in the init context; the initializer does not mount the results volume.
    env: env
      .filter((e) => 'value' in e && e.name !== GO_MEMORY_LIMIT)
      .map((e) => (e.name === 'RESULTS_DIR' ? { name: e.name, value: RESULTS_NONE } : e)),
    resources: quantity(CAPACITY.initializer.cpuMillicores, CAPACITY.initializer.memoryBytes),
    containerSecurityContext: SECURITY,
  };
  spec.starter = {
    image: d.starterImage,
    imagePullPolicy: 'IfNotPresent',
    metadata: { labels: labels(plan, 'starter') },
    resources: quantity(CAPACITY.starter.cpuMillicores, CAPACITY.starter.memoryBytes),
    containerSecurityContext: SECURITY,
  };
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: {
      name: d.name,
      labels: { 'app.kubernetes.io/name': 'mojaloop-k6', 'mojaloop-k6/profile': plan.profile },
    },
    spec,
  };
}

/** Keeps voluntary disruptions (drains, autoscaler) away from the runners while the test runs. */
export function buildPodDisruptionBudget(d: DeployOptions): Record<string, unknown> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `${d.name}-runners`, labels: { 'app.kubernetes.io/name': 'mojaloop-k6' } },
    spec: { maxUnavailable: 0, selector: { matchLabels: { k6_cr: d.name, runner: 'true' } } },
  };
}

/** Where the kustomization expects the bundle copy (inside its directory: kustomize's load restrictor). */
export function bundleCopyPath(plan: Plan): string {
  return `scripts/${scriptFile(plan)}`;
}

/**
 * `kubectl apply --server-side -k <dir>`: the TestRun and PDB, and a ConfigMap generated from the
 * bundle copy under `scripts/`, without a hash suffix so the TestRun's `script.configMap.name`
 * matches (kustomize cannot rewrite a reference inside a custom resource).
 */
export function buildKustomization(plan: Plan, d: DeployOptions): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['testrun.yaml', 'pdb.yaml'],
    configMapGenerator: [
      { name: scriptConfigMapName(d.name), files: [`${scriptFile(plan)}=${bundleCopyPath(plan)}`] },
    ],
    generatorOptions: {
      disableNameSuffixHash: true,
      labels: { 'app.kubernetes.io/name': 'mojaloop-k6' },
    },
  };
}

/** The script ConfigMap as an object (what kustomize generates), for size checks and `kubectl apply -f`. */
export function buildScriptConfigMap(name: string, files: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: scriptConfigMapName(name), labels: { 'app.kubernetes.io/name': 'mojaloop-k6' } },
    data: files,
  };
}
