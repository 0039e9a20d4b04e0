/**
 * The verdict: one status (the vocabulary of lib/verdict/status.ts, shared with the in-run
 * verdict), the culprit, the evidence (numbers and time ranges) and what to do next.
 *
 * - INVALID: the gate failed. The figures are shown but cannot be trusted.
 * - REJECTED: the hub (or something before it) refused the transfers: named by code, share and
 *   what the rejections said; the run measured rejections, not capacity.
 * - HUB-SATURATED: the hub did not complete the offered load (a plateau below the target, drops
 *   caused by its stalls), or an SLO was missed at the target without a pattern in the series.
 * - HUB-DEGRADING: throughput held but latency grows, saws or stalls.
 * - GENERATOR-BOUND: only the generator misbehaved (starvation, its own pauses, a shortfall it
 *   caused): the hub was never offered the target load, so the run says nothing about it.
 * - HEALTHY: none of the above.
 *
 * Next steps turn the troubleshooting checklist into advice computed from the run: how many VUs
 * Little's law asks for, how many runners, which hub component to look at, which period to chase.
 */

import { humanDuration } from '../lib/config/duration.ts';
import { moreRunners, OBSERVED_VU_HEADROOM } from '../lib/config/profiles.ts';
import { percent } from '../lib/format/numbers.ts';
import { rejectionName } from '../lib/protocol/error-codes.ts';
import { REJECTED_SHARE } from '../lib/verdict/verdict.ts';
import type { Culprit, Detection, Figures, Gate, TimeRange, Verdict, VerdictStatus } from './model/types.ts';

export interface VerdictInput {
  gate: Gate;
  detections: Detection[];
  steady: Figures;
  latencyOfRecord: string | null;
  runners: number;
  /** Target tolerance (share), max error rate, max share over 1 s, optional p99 limit (ms). */
  attainmentTolerance: number;
  maxErrorRate: number;
  maxOver1sShare: number;
  p99LimitMs?: number;
  targetKnown: boolean;
  /** What the rejections said, whole run (`<code>: <text>` from the kit's checks), largest first. */
  rejectionReasons?: ReadonlyArray<{ reason: string; count: number }>;
}

export function fmtRanges(rs: TimeRange[], max = 4): string {
  const shown = rs
    .slice(0, max)
    .map((r) => `${humanDuration(r.fromSec * 1000)}–${humanDuration(r.toSec * 1000)}`);
  return shown.join(', ') + (rs.length > max ? ` (+${rs.length - max} more)` : '');
}

const pct = (x: number): string => percent(x, 2);

/**
 * Whether the hub findings say the hub did not complete the offered load: a plateau below the
 * target, or drops while it was queueing (drops that come with a pause are the pause's, a
 * degradation).
 */
function saturated(hub: readonly Detection[]): boolean {
  if (hub.some((d) => d.kind === 'plateau_below_target')) return true;
  return hub.some((d) => d.kind === 'hub_stall_drops') && !hub.some((d) => d.kind === 'pause');
}

export function verdict(v: VerdictInput): Verdict {
  const s = v.steady;
  const evidence: string[] = [];
  const next: string[] = [];
  const hubFindings = v.detections.filter((d) => d.side === 'hub');
  const genFindings = v.detections.filter((d) => d.side === 'generator');
  for (const d of v.detections) evidence.push(`[${d.side}] ${d.summary} — at ${fmtRanges(d.ranges)}`);

  // SLOs over the steady state.
  const slo: string[] = [];
  if (
    s.attainment !== null &&
    s.attainment < 1 - v.attainmentTolerance &&
    !v.detections.some((d) => d.kind === 'plateau_below_target')
  ) {
    slo.push(
      `achieved ${s.achievedTps.toFixed(1)}/s is ${pct(s.attainment)} of the target ${s.targetTps?.toFixed(1)}/s`,
    );
  }
  const errorRate = s.successRatio !== null ? 1 - s.successRatio : s.httpErrorRate;
  if (errorRate !== null && errorRate > v.maxErrorRate) {
    slo.push(`error rate ${pct(errorRate)} above ${pct(v.maxErrorRate)}`);
  }
  if (s.over1sShare !== null && s.over1sShare > v.maxOver1sShare && v.latencyOfRecord === 'e2e') {
    slo.push(`${pct(s.over1sShare)} of transfers took over 1 s (limit ${pct(v.maxOver1sShare)})`);
  }
  const rec = v.latencyOfRecord !== null ? s.latency[v.latencyOfRecord] : undefined;
  if (v.p99LimitMs !== undefined && rec?.p99 != null && rec.p99 > v.p99LimitMs) {
    slo.push(`${v.latencyOfRecord} p99 ${rec.p99.toFixed(1)} ms above ${v.p99LimitMs} ms`);
  }
  for (const x of slo) evidence.push(`[slo] ${x}`);

  // Culprit and status.
  let culprit: Culprit = 'none';
  if (hubFindings.length > 0 && genFindings.length > 0) culprit = 'hub+generator';
  else if (hubFindings.length > 0) culprit = 'hub';
  else if (genFindings.length > 0) culprit = 'generator';
  else if (slo.length > 0) culprit = 'unknown';
  const rejections = rejectionsOf(s);
  if (rejections !== undefined) {
    evidence.push(
      `[hub] ${rejections.rejected} of ${rejections.total} transfers rejected (${pct(rejections.share)}): ${rejections.top.join(', ')}`,
    );
    for (const r of (v.rejectionReasons ?? []).slice(0, 3))
      evidence.push(`[hub] ×${r.count} in the whole run: ${r.reason}`);
  }
  let status: VerdictStatus;
  if (!v.gate.valid) status = 'INVALID';
  else if (rejections !== undefined) {
    status = 'REJECTED';
    // the hub (or something before it) refused them, whatever else was found
    culprit = genFindings.length > 0 ? 'hub+generator' : 'hub';
  } else if (saturated(hubFindings)) status = 'HUB-SATURATED';
  else if (hubFindings.length > 0) status = 'HUB-DEGRADING';
  else if (slo.length > 0 && genFindings.length === 0) status = 'HUB-SATURATED';
  else if (genFindings.length > 0) status = 'GENERATOR-BOUND';
  else status = 'HEALTHY';

  // Next steps.
  if (!v.gate.valid) {
    for (const c of v.gate.checks.filter((c) => c.status === 'fail')) {
      next.push(gateAdvice(c.name, c.detail));
    }
  }
  nextStepsForGenerator(v, genFindings, next);
  // A run of rejections completes little: its plateau is the rejections', not the hub's capacity.
  nextStepsForHub(
    v,
    status === 'REJECTED' ? hubFindings.filter((d) => d.kind !== 'plateau_below_target') : hubFindings,
    next,
  );
  if (slo.length > 0 && hubFindings.length === 0 && genFindings.length === 0) {
    next.push(
      'An SLO was missed without a pattern in the series: compare the per-phase latencies and the outcome codes in the tables below to find the failing step.',
    );
  }
  if (!v.targetKnown) {
    next.push(
      'The target was inferred from the schedule (iterations started + dropped); pass --target-tps to judge attainment against the intended rate.',
    );
  }
  if (status === 'HEALTHY' && next.length === 0) {
    next.push(
      s.targetTps !== null
        ? `The hub sustained ${s.achievedTps.toFixed(1)}/s with no pattern of degradation: raise the target to find its limit.`
        : 'No degradation pattern found.',
    );
  }

  if (status === 'REJECTED') {
    next.unshift(
      "The hub refused the transfers, so the run measured rejections, not capacity: fix the request or the hub's configuration (the codes above say which part; plain k6 runs name the HTTP statuses).",
    );
  }
  const headline = headlineOf(status, culprit, v);
  return { status, culprit, headline, evidence, nextSteps: next };
}

/**
 * The rejections of the steady state when they decide the run (the in-run verdict's rule: at least
 * REJECTED_SHARE of the transfers, and at least as many as timed out), with the top codes; for
 * plain k6 runs the 4xx answers.
 */
function rejectionsOf(
  s: Figures,
): { rejected: number; total: number; share: number; top: string[] } | undefined {
  const c = s.counts;
  let rejected: number;
  let total: number;
  let codes: Array<[string, number]>;
  if (c.sent > 0) {
    rejected = c.rejected;
    total = c.sent;
    codes = Object.entries(s.outcomes).filter(([k]) => k !== 'COMMITTED' && k !== 'TIMEOUT');
    if (rejected === 0 || rejected < c.timedOut) return undefined;
  } else {
    codes = Object.entries(s.httpStatuses).filter(([k]) => /^http:4\d\d$/.test(k));
    rejected = codes.reduce((n, [, x]) => n + x, 0);
    total = Object.values(s.httpStatuses).reduce((n, x) => n + x, 0);
    if (rejected === 0) return undefined;
  }
  const share = total > 0 ? rejected / total : 0;
  if (share < REJECTED_SHARE) return undefined;
  const top = codes
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k.startsWith('http:') ? `HTTP ${k.slice(5)}` : rejectionName(k)} ×${n}`);
  return { rejected, total, share, top };
}

function headlineOf(status: VerdictStatus, culprit: Culprit, v: VerdictInput): string {
  const s = v.steady;
  const rate = `${s.achievedTps.toFixed(1)}/s${s.targetTps !== null ? ` of ${s.targetTps.toFixed(1)}/s target` : ''}`;
  const rec = v.latencyOfRecord !== null ? s.latency[v.latencyOfRecord] : undefined;
  const lat = rec?.p99 != null ? `, ${v.latencyOfRecord} p99 ${rec.p99.toFixed(1)} ms` : '';
  switch (status) {
    case 'INVALID':
      return `INVALID run: ${v.gate.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.name)
        .join(', ')} failed (${rate}${lat})`;
    case 'GENERATOR-BOUND':
      return `GENERATOR-BOUND: the generator could not offer the load (${rate}${lat}); the hub was not tested at the target`;
    case 'HUB-SATURATED':
      return `HUB-SATURATED: ${culprit === 'hub' || culprit === 'hub+generator' ? 'the hub is the bottleneck' : 'SLO missed at the target'} (${rate}${lat})`;
    case 'HUB-DEGRADING':
      return `HUB-DEGRADING: throughput held but latency degrades (${rate}${lat})`;
    case 'INCONCLUSIVE':
      return `INCONCLUSIVE: nothing to judge (${rate}${lat})`;
    case 'REJECTED':
      return `REJECTED: the hub refused the transfers (${rate}${lat})`;
    default:
      return `HEALTHY: ${rate}${lat}`;
  }
}

function nextStepsForGenerator(v: VerdictInput, gen: Detection[], next: string[]): void {
  if (gen.length === 0) return;
  const s = v.steady;
  const starving = gen.find((d) => d.kind === 'generator_starvation');
  const target = s.targetTps ?? s.startedTps;
  const latMs = (v.latencyOfRecord !== null ? s.latency[v.latencyOfRecord]?.p99 : null) ?? null;
  const iterP99 = s.latency['iteration_duration']?.p99 ?? latMs;
  if (starving !== undefined) {
    if (starving.evidence['cause'] === 'vus' && iterP99 !== null && target > 0) {
      const need = Math.ceil(((target * iterP99) / 1000) * OBSERVED_VU_HEADROOM);
      const perRunner = Math.ceil(need / Math.max(1, v.runners));
      next.push(
        `Not enough VUs: Little's law asks for target ${target.toFixed(0)}/s × p99 iteration ${iterP99.toFixed(0)} ms × ${OBSERVED_VU_HEADROOM} headroom ≈ ${need} VUs${s.vusMaxCapacity !== null ? ` (the run had vus_max ${s.vusMaxCapacity})` : ''}; set preAllocatedVUs = maxVUs ≥ ${need} (a multiple of the runner count, ≈ ${perRunner} per runner). If that latency is itself the hub queueing (a run without a ramp cannot show the lightly-loaded latency), more VUs will not raise the rate: rerun with a ramp to tell.`,
      );
    } else {
      const p = Math.max(1, v.runners);
      next.push(
        `The runners could not schedule iterations while VUs were free (CPU-starved generator): add runners (PARALLELISM ${p} → ${moreRunners(p)}) or give each runner more CPU, and keep runner CPU under ~80%.`,
      );
    }
  }
  for (const d of gen.filter((x) => x.kind === 'pause')) {
    next.push(
      `The generator stopped starting work at ${fmtRanges(d.ranges)}: check the runner pods for CPU throttling, GC or eviction at that time.`,
    );
  }
  if (gen.some((d) => d.kind === 'plateau_below_target')) {
    next.push(
      'The shortfall is on the generator side: fix the generator first, then rerun before judging the hub.',
    );
  }
}

function nextStepsForHub(v: VerdictInput, hub: Detection[], next: string[]): void {
  if (hub.length === 0) return;
  const s = v.steady;
  for (const d of hub) {
    switch (d.kind) {
      case 'plateau_below_target':
        next.push(
          `The hub saturates at ≈ ${s.achievedTps.toFixed(0)}/s (${s.attainment !== null ? pct(s.attainment) : '-'} of target): scale the hub (ml-api-adapter and central-ledger handler replicas, database, Kafka partitions) or rerun at ≈ ${(s.achievedTps * 0.9).toFixed(0)}/s to characterise latency below saturation. More VUs or runners will not help.`,
        );
        break;
      case 'latency_growth':
        next.push(
          `Latency grows ${d.evidence['slopeMsPerMin']} ms/min: the hub accepts work faster than it completes it (a queue builds). Find the stage whose per-phase latency grows (see the per-phase table) and scale it; a longer run at this rate will end in timeouts.`,
        );
        break;
      case 'sawtooth':
        next.push(
          `Latency cycles every ${d.evidence['periodSec']} s (amplitude ${d.evidence['amplitudeMs']} ms): look for something with that period in the hub — GC, batch commits, Kafka consumer rebalances or database checkpoints.`,
        );
        break;
      case 'pause':
        next.push(
          `The hub stopped completing transfers at ${fmtRanges(d.ranges)}: read the hub logs and metrics for those seconds (restarts, leader elections, stop-the-world GC).`,
        );
        break;
      case 'hub_stall_drops':
        next.push(
          `Dropped iterations at ${fmtRanges(d.ranges)} are a consequence of the hub (every VU was waiting on it): more VUs or runners would only queue more work; fix the hub first.`,
        );
        if (d.evidence['plannedHoldMs'] !== undefined) {
          const p95 = d.evidence['holdP95Ms'];
          next.push(
            `The hub's answers held each VU ${d.evidence['holdP50Ms']} ms (p50) where the pool was sized for ${d.evidence['plannedHoldMs']} ms: find where the hub spends that time first; if it is the hub's normal latency, size the pool for it (EXPECTED_LATENCY_MS=${typeof p95 === 'number' ? p95 : d.evidence['holdP50Ms']}, the p95 iteration).`,
          );
        }
        break;
      default:
        break;
    }
  }
}

function gateAdvice(name: string, detail: string): string {
  switch (name) {
    case 'runners':
    case 'runner_coverage':
      return `A runner is missing or stopped early (${detail}): check its pod (OOM kill = exit 137, eviction) and rerun; a missing runner silently removes its share of the load.`;
    case 'counts':
      return `Transfer counts do not reconcile (${detail}): the run lost or double-counted outcomes (relay evictions, k6 interrupted before the final collection); rerun with a longer gracefulStop or check ml_relay_evicted.`;
    case 'ledger':
      return `The simulator ledger disagrees with k6 (${detail}): make sure the ledger was read after the run and belongs to it (reset the simulator between runs).`;
    case 'testrun':
      return `Inputs from different test runs were mixed (${detail}): analyze one run at a time.`;
    case 'inputs':
      return `An input file is unusable (${detail}): check that it is a k6 --out json or --out csv file.`;
    case 'throughput':
      return `Nothing measures completed work (${detail}): the run needs the iterations metric or the kit's ml_transfers_* counters.`;
    default:
      return `${name}: ${detail}`;
  }
}
