/**
 * The pieces of a scenario's k6 options: summary columns and system tags, the arrival-rate
 * executor of a load profile, the collector of collect mode, and the thresholds (visibility, base,
 * and the composed sets of lib/thresholds/). lib/plan/run-plan.ts assembles them into one plan;
 * nothing else computes options. Pure data, so Node tests check the invariants without k6.
 */

import type { CloudOptions } from '../config/cloud.ts';
import { k6Duration } from '../config/duration.ts';
import { type ProfileSpec, volumeFactor } from '../config/profiles.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { Phase } from '../flows/types.ts';
import { METRIC } from '../metrics/registry.ts';
import { thresholdsFor } from '../thresholds/sets.ts';

/** Trend columns in every summary; p(99) is the Mojaloop SLO percentile (docs/facts/k6.md#summary-legacy: thresholds alone do not add it). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'] as const;

/**
 * System tags kept on samples. `url` and `vu`/`iter` are left out: relay URLs carry transfer ids,
 * and one time series per id would exhaust the metrics engine (docs/facts/k6.md#cardinality); the `name`
 * tag groups requests instead.
 */
export const SYSTEM_TAGS = [
  'proto',
  'status',
  'method',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'scenario',
  'expected_response',
] as const;

/**
 * FSPIOP error codes a load test meets (docs/facts/mojaloop.md#error-codes). A `count>=0` threshold on each
 * sub-metric makes k6 keep and report it, so handleSummary can break rejections down by code;
 * codes not listed still count in the total and show as "other".
 */
export const KNOWN_ERROR_CODES = [
  '1001',
  '2001',
  '2003',
  '3000',
  '3001',
  '3100',
  '3101',
  '3102',
  '3103',
  '3105',
  '3106',
  '3200',
  '3201',
  '3204',
  '3208',
  '3302',
  '3303',
  '4001',
  '4200',
  '5100',
  '5101',
  '5104',
  '5105',
  '5106',
  '5200',
  '5300',
  '5400',
] as const;

/**
 * HTTP statuses of refusals without an FSPIOP error (the `error_code` tag `http<status>`): the ones
 * gateways, ingresses and SDKs use, broken out in the summary like the FSPIOP codes.
 */
export const KNOWN_HTTP_REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429] as const;

/** The phases of lib/flows/types.ts `Phase`, for the per-phase sub-metrics. */
export const PHASES = ['parties', 'quotes', 'transfers'] as const satisfies readonly Phase[];

/** Extra time the collector keeps reading after the last transfer could still time out, ms. */
export const COLLECTOR_MARGIN_MS = 5000;

// Minimal shapes of the k6 options this kit emits (k6 types cannot be imported outside lib/k6/).
export interface ArrivalRate {
  rate: number;
  timeUnit: string;
}

export interface ScenarioOptions {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate' | 'constant-vus';
  exec: string;
  startTime?: string;
  gracefulStop?: string;
  tags?: Record<string, string>;
  // arrival-rate executors
  rate?: number;
  startRate?: number;
  timeUnit?: string;
  duration?: string;
  stages?: Array<{ target: number; duration: string }>;
  preAllocatedVUs?: number;
  maxVUs?: number;
  // constant-vus
  vus?: number;
}

export type Threshold = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

/** One client certificate of k6's `options.tlsAuth` (PEM texts; docs/facts/k6.md#tls). */
export interface TlsAuthEntry {
  domains: string[];
  cert: string;
  key: string;
}

export interface K6Options {
  scenarios: Record<string, ScenarioOptions>;
  thresholds: Record<string, Threshold[]>;
  summaryTrendStats: string[];
  systemTags: string[];
  discardResponseBodies: boolean;
  setupTimeout: string;
  teardownTimeout: string;
  /** Grafana Cloud k6: test name, project, load zones (lib/config/cloud.ts). */
  cloud?: CloudOptions;
  /** Client certificates for mutual TLS (lib/config/tls.ts; `tlsAuthOptions`). */
  tlsAuth?: TlsAuthEntry[];
}

/**
 * k6 arrival rates are integers per `timeUnit`. Whole TPS use `1s`; fractional ones (smoke at 0.5/s)
 * are expressed per minute, which keeps 1/60 TPS resolution.
 */
export function arrivalRate(tps: number): ArrivalRate {
  if (Number.isInteger(tps)) return { rate: tps, timeUnit: '1s' };
  return { rate: Math.max(1, Math.round(tps * 60)), timeUnit: '1m' };
}

/** The transfers-sending scenario for a profile. Returns the scenario and its total length, ms. */
export function loadScenario(
  spec: ProfileSpec,
  tps: number,
  durationMs: number,
  vus: number,
  exec: string,
  gracefulStopMs: number,
  tags: Record<string, string>,
): { scenario: ScenarioOptions; lengthMs: number } {
  const common = {
    exec,
    startTime: '0s',
    gracefulStop: k6Duration(gracefulStopMs),
    tags,
    preAllocatedVUs: vus,
    maxVUs: vus,
  };
  if (spec.shape.kind === 'constant') {
    const r = arrivalRate(tps);
    const seconds = Math.max(1, Math.round(durationMs / 1000));
    return {
      scenario: { executor: 'constant-arrival-rate', ...r, duration: `${seconds}s`, ...common },
      lengthMs: seconds * 1000,
    };
  }
  // Ramps are planned per minute so that fractions of small targets stay integers.
  const perMinute = (factor: number): number => Math.round(factor * tps * 60);
  const stages: Array<{ target: number; duration: string }> = [];
  let lengthMs = 0;
  for (const step of spec.shape.steps) {
    // A ramp to the step's rate, then a hold at it (k6 interpolates linearly within a stage).
    for (const share of [step.rampShare, step.holdShare]) {
      if (share <= 0) continue;
      const seconds = Math.max(1, Math.round((share * durationMs) / 1000));
      stages.push({ target: perMinute(step.rate), duration: `${seconds}s` });
      lengthMs += seconds * 1000;
    }
  }
  return {
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: perMinute(spec.shape.startRate),
      timeUnit: '1m',
      stages,
      ...common,
    },
    lengthMs,
  };
}

/** The host of an absolute URL, lower case, without user info, port or IPv6 brackets. */
export function urlHost(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '')).toLowerCase();
}

/**
 * k6's `tlsAuth` for the run's TLS identities, hub first: the hub identity's domains are the hosts
 * of HUB_URL (and OUTBOUND_URL for the outbound scenario; its `{payer}` becomes a `*` wildcard),
 * plus RELAY_URL's unless the relay has its own identity. k6 (Go's crypto/tls) does not choose a
 * certificate by these domains: it presents the first entry whose issuer the server names as
 * acceptable, or the first entry when the server names none (docs/facts/k6.md#tls).
 */
export function tlsAuthOptions(config: RunConfig): TlsAuthEntry[] | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  const hubHosts = [urlHost(config.hubUrl)];
  if (config.scenario === 'outbound') hubHosts.push(urlHost(config.outboundUrl.replace('{payer}', '*')));
  const relayHosts = [urlHost(config.relayUrl)];
  const entries: TlsAuthEntry[] = [];
  if (tls.hub) {
    const domains = tls.relay ? hubHosts : [...hubHosts, ...relayHosts];
    entries.push({ domains: [...new Set(domains)], cert: tls.hub.certPem, key: tls.hub.keyPem });
  }
  if (tls.relay) entries.push({ domains: relayHosts, cert: tls.relay.certPem, key: tls.relay.keyPem });
  return entries;
}

/** The `name` tag of the request whose synchronous answer is the transfer's "sync latency". */
export function syncRequestName(config: RunConfig): string {
  if (config.scenario !== 'outbound') return 'POST /transfers';
  return config.outboundFlow === 'transfers' ? 'POST /outbound/transfers' : 'POST /outbound/simpleTransfers';
}

/**
 * Thresholds that only make k6 keep and report a sub-metric (always pass), so handleSummary sees
 * rejections per stage and code, and phase latencies. Sub-metric Counters are cheap; phase Trend
 * sub-metrics copy samples, so they are added only where phases exist (e2e, outbound).
 */
export function visibilityThresholds(config: RunConfig): Record<string, Threshold[]> {
  const out: Record<string, Threshold[]> = {};
  out[`${METRIC.transfersRejected}{stage:sync}`] = ['count>=0'];
  out[`${METRIC.transfersRejected}{stage:async}`] = ['count>=0'];
  for (const code of KNOWN_ERROR_CODES) out[`${METRIC.transfersRejected}{error_code:${code}}`] = ['count>=0'];
  for (const status of KNOWN_HTTP_REFUSALS)
    out[`${METRIC.transfersRejected}{error_code:http${status}}`] = ['count>=0'];
  // Counters without samples are left out of the summary; a threshold keeps them there as 0.
  for (const name of [
    METRIC.transfersSent,
    METRIC.transfersAccepted,
    METRIC.transfersCommitted,
    METRIC.transfersRejected,
    METRIC.transfersTimedOut,
    METRIC.outcomesLate,
    METRIC.callbacksDuplicate,
    METRIC.relayEvicted,
    METRIC.outcomesForeign,
    METRIC.latencyUnknown,
    METRIC.transfersTransportFailed,
    METRIC.postTransportErrors,
  ]) {
    out[name] = ['count>=0'];
  }
  if (config.scenario !== 'transfers') {
    for (const phase of PHASES) out[`${METRIC.phaseDuration}{phase:${phase}}`] = ['max>=0'];
  }
  // The synchronous answer of the request that carries the transfer (one Trend copy per transfer).
  out[`http_req_duration{name:${syncRequestName(config)}}`] = ['max>=0'];
  return out;
}

/**
 * Transfers one runner must see committed for the run to count as the target achieved: 99 % of its
 * share of the planned volume (rate × duration, or the area under a ramp). This is also what makes
 * collect mode's exit code honest: outcomes that never arrive are invisible to the success Rate
 * while the run lasts (nobody knows they are missing until the end), but they are missing here.
 */
export function minCommittedPerRunner(config: RunConfig, loadLengthMs: number): number {
  const volume =
    (config.targetTps * volumeFactor(config.profileSpec) * loadLengthMs) / 1000 / config.parallelism;
  return Math.floor(volume * 0.99);
}

/**
 * Thresholds every run has: the committed volume, and — only where the composed sets of
 * lib/thresholds/sets.ts do not already judge them — success and over-1 s ratios.
 */
export function baseThresholds(
  config: RunConfig,
  loadLengthMs: number,
  sets: Record<string, Threshold[]> = {},
): Record<string, Threshold[]> {
  const abort = config.profileSpec.abortOnFail;
  const guard = (t: string): Threshold =>
    abort ? { threshold: t, abortOnFail: true, delayAbortEval: '30s' } : t;
  const out: Record<string, Threshold[]> = {};
  if (!sets[METRIC.transferSuccess]) out[METRIC.transferSuccess] = [guard('rate>0.99')];
  if (!sets[METRIC.transferOver1s]) out[METRIC.transferOver1s] = [guard('rate<0.01')];
  // A breakpoint run stops at the break, short of its planned volume, by design.
  if (!abort) out[METRIC.transfersCommitted] = [`count>=${minCommittedPerRunner(config, loadLengthMs)}`];
  return out;
}

/** Merges threshold maps, concatenating the expressions of a metric present in several. */
export function mergeThresholds(...maps: Array<Record<string, Threshold[]>>): Record<string, Threshold[]> {
  const out: Record<string, Threshold[]> = {};
  for (const m of maps) {
    for (const [k, v] of Object.entries(m)) {
      const prior = out[k] ?? [];
      const seen = new Set(prior.map((t) => (typeof t === 'string' ? t : t.threshold)));
      out[k] = [...prior, ...v.filter((t) => !seen.has(typeof t === 'string' ? t : t.threshold))];
    }
  }
  return out;
}

/** The threshold sets of lib/thresholds/sets.ts for this run (invariant, generator, hub). */
export function composedThresholds(config: RunConfig, lengthMs: number): Record<string, Threshold[]> {
  return thresholdsFor({
    profile: config.profile,
    parallelism: config.parallelism,
    targetTps: config.targetTps,
    durationS: Math.max(1, lengthMs / 1000),
  }).thresholds;
}
