import { moreRunners, OBSERVED_VU_HEADROOM } from '../config/profiles.ts';
import { decimal, percent } from '../format/numbers.ts';
import { readSummary, type SummaryView } from '../metrics/summary-view.ts';
import { rejectionName } from '../protocol/error-codes.ts';
import { readSignals, type Signals } from './signals.ts';
import { VERDICT_EXIT_CODES, type VerdictStatus } from './status.ts';

/**
 * The verdict of one runner's run, from its end-of-test summary: which side failed, and why.
 *
 * - GENERATOR-BOUND: k6 could not start iterations on schedule (drops, starvation checks, late
 *   starts). Nothing it measured about the hub can be trusted at this load. Cause: VUs (the pool was
 *   empty) or CPU (late bursts, drops while VUs were idle). A VU shortage caused by the hub's latency
 *   rising far above what the pool was sized for is reported as HUB-SATURATED instead.
 * - HUB-SATURATED: the generator kept up but the hub did not: committed throughput plateaued below
 *   the target, or the Mojaloop latency invariant failed at the target load without a drift.
 * - HUB-DEGRADING: throughput on target, but latency drifts upward or shows a sawtooth (period and
 *   amplitude given): it will not hold for long.
 * - HEALTHY: none of the above, invariant met.
 * - INCONCLUSIVE: no load was sent, or nothing to judge by.
 *
 * Precedence: GENERATOR-BOUND > HUB-SATURATED > HUB-DEGRADING > HEALTHY.
 *
 * Under k6-operator each runner judges its own samples; the analyzer (analyzer/) computes the
 * run-wide verdict from every runner's output with the same detectors.
 */
export interface VerdictContext {
  /** whole-test target, transfers per second */
  targetTps: number;
  /** runners sharing the load */
  parallelism: number;
  /** length of the load phase, s (default: the summary's test-run duration) */
  durationS?: number;
  /** maxVUs = preAllocatedVUs of the load scenario, whole test */
  vus?: number;
  /** what the VU pool was sized for: latency holding a VU, ms */
  expectedLatencyMs?: number;
  profile?: string;
}

export interface Verdict {
  status: VerdictStatus;
  /** one line */
  summary: string;
  /** the status's exit code (lib/verdict/status.ts); k6's own exit code is unchanged */
  exitCode: number;
  /** 'vus' | 'cpu' for GENERATOR-BOUND, 'drift' | 'sawtooth' for HUB-DEGRADING, 'throughput' | 'latency' for HUB-SATURATED */
  cause?: string;
  /** what was measured, one line each */
  evidence: string[];
  /** what to change, one line each */
  advice: string[];
  /** the Mojaloop invariant on this runner's samples */
  invariant: { ok: boolean | undefined; failures: string[] };
  signals: Signals;
  /** 'runner' when PARALLELISM > 1: this is one runner's view */
  scope: 'run' | 'runner';
}

/**
 * Rejected share of the transfers sent from which the run is REJECTED (when rejections are at least
 * the timeouts): more than the 0.1 % failures the Mojaloop invariant allows are rejections.
 */
export const REJECTED_SHARE = 0.001;

/** Firing share of the detector checks above which a signal counts. */
export const SIGNAL_RATE = 0.1;
/** Dropped share of due iterations above which the generator is bound. */
export const DROP_RATIO = 0.01;
/** Committed / target below which throughput has plateaued. */
export const THROUGHPUT_FLOOR = 0.95;

const fmt = (x: number, digits = 1): string => decimal(x, digits);
/** Milliseconds: one decimal under 10 ms (0.2 of 4.1 ms), whole ones above. */
const ms = (x: number): string => fmt(x, x < 10 ? 1 : 0);
/** Shares under 1 % keep two decimals (0.05%), larger ones one. */
const pct = (x: number): string => percent(x, x < 0.01 ? 2 : 1);

export function computeVerdict(summaryData: unknown, ctx: VerdictContext): Verdict {
  const view: SummaryView = readSummary(summaryData);
  return verdictFromView(view, ctx);
}

export function verdictFromView(view: SummaryView, ctx: VerdictContext): Verdict {
  if (!(ctx.targetTps > 0)) throw new Error(`targetTps: expected a positive number, got ${ctx.targetTps}`);
  if (!Number.isInteger(ctx.parallelism) || ctx.parallelism < 1) {
    throw new Error(`parallelism: expected an integer >= 1, got ${ctx.parallelism}`);
  }
  const s = readSignals(view, ctx.durationS);
  const g = s.generator;
  const h = s.hub;
  const t = s.transfers;
  const perRunner = ctx.targetTps / ctx.parallelism;
  const scope: Verdict['scope'] = ctx.parallelism > 1 ? 'runner' : 'run';
  const evidence: string[] = [];
  const advice: string[] = [];

  // --- the Mojaloop invariant ---
  const failures: string[] = [];
  if (t.e2eP99Ms !== undefined && t.e2eP99Ms >= 1000)
    failures.push(`p99 ${fmt(t.e2eP99Ms, 0)} ms >= 1000 ms`);
  if (t.over1sRate !== undefined && t.over1sRate > 0.01) failures.push(`${pct(t.over1sRate)} over 1 s > 1 %`);
  if (t.successRate !== undefined && t.successRate < 0.999)
    failures.push(`success ${pct(t.successRate)} < 99.9 %`);
  // A latency nobody measured is unknown, never fine: past 1 % of the transfers it hides more than
  // the invariant allows to be slow, so the invariant cannot be judged (a failure found stays one).
  const unknownShare = t.sent > 0 ? t.latencyUnknown / t.sent : 0;
  const latencyKnown = unknownShare <= 0.01 && (t.e2eP99Ms !== undefined || t.over1sRate !== undefined);
  const known = latencyKnown && t.successRate !== undefined;
  const invariant = {
    ok: failures.length > 0 ? false : known ? true : undefined,
    failures,
  };

  const base = { signals: s, scope, invariant };
  const done = (status: VerdictStatus, summary: string, cause?: string): Verdict => ({
    status,
    summary,
    exitCode: VERDICT_EXIT_CODES[status],
    ...(cause ? { cause } : {}),
    evidence,
    advice,
    ...base,
  });

  if (t.sent === 0 && g.iterations === 0) {
    evidence.push('no transfer was sent and no iteration ran');
    advice.push('check that the scenario started (k6 output above), HUB_URL and the setup() step');
    return done('INCONCLUSIVE', 'no load was generated');
  }

  // --- throughput ---
  const seconds = s.durationS;
  const committedTps = seconds && seconds > 0 ? t.committed / seconds : undefined;
  const throughput = committedTps === undefined ? undefined : committedTps / perRunner;
  if (committedTps !== undefined) {
    evidence.push(
      `committed ${fmt(committedTps)}/s = ${pct(throughput!)} of this runner's target ${fmt(perRunner)}/s (${fmt(ctx.targetTps)}/s over ${ctx.parallelism} runner${ctx.parallelism > 1 ? 's' : ''})`,
    );
  }
  if (invariant.ok === true) evidence.push('Mojaloop invariant met');
  else if (invariant.ok === false) evidence.push(`Mojaloop invariant failed: ${failures.join('; ')}`);
  if (t.latencyUnknown > 0) {
    evidence.push(
      `latency unknown for ${t.latencyUnknown} of ${t.sent} transfers (${pct(unknownShare)}): no send time` +
        (invariant.ok === undefined ? '; the Mojaloop invariant cannot be judged' : ''),
    );
    advice.push(
      'give every transfer a send time the hub cannot lose: ID_KIND=uuid (time-based UUID, FSPIOP 1.x) or ulid carry it in the id; tracestate alone depends on the hub echoing it',
    );
  }

  // --- rejections: the hub (or something before it) refused the transfers ---
  // Before the generator and throughput checks: a run whose transfers are refused has little
  // committed throughput and fast iterations, and must not read as saturation or starvation.
  const rejectedShare = t.sent > 0 ? t.rejected / t.sent : 0;
  if (t.rejected > 0 && rejectedShare >= REJECTED_SHARE && t.rejected >= t.timedOut) {
    const top = t.rejectedByCode.slice(0, 3).map((r) => `${rejectionName(r.code)} ×${r.count}`);
    const other = t.rejected - t.rejectedByCode.reduce((n, r) => n + r.count, 0);
    if (other > 0) top.push(`others ×${other}`);
    evidence.push(
      `${t.rejected} of ${t.sent} transfers rejected (${pct(rejectedShare)}; ${t.rejectedSync} synchronously): ${top.join(', ')}`,
    );
    for (const r of t.rejectionReasons.slice(0, 3)) evidence.push(`×${r.count} ${r.reason}`);
    advice.push(
      "the hub refused the transfers, so the run measured rejections, not capacity: fix the request or the hub's configuration (the descriptions are the k6 checks named `rejected <code>: …`)",
    );
    const first = t.rejectedByCode[0]?.code;
    if (first !== undefined) advice.push(rejectionAdvice(first));
    return done(
      'REJECTED',
      `${pct(rejectedShare)} of the transfers were rejected${first !== undefined ? `, most with ${rejectionName(first)}` : ''}`,
      'rejections',
    );
  }

  // --- generator ---
  const dropping = g.dropRatio !== undefined && g.dropRatio > DROP_RATIO;
  const starved = (g.starvedRate ?? 0) >= SIGNAL_RATE;
  const cpu = (g.cpuStarvedRate ?? 0) >= SIGNAL_RATE;
  const late = g.lagP95Ms !== undefined && g.lagP95Ms > 250;
  if (dropping || starved || cpu || late) {
    const parts: string[] = [];
    if (g.dropRatio !== undefined && g.dropped > 0)
      parts.push(`${g.dropped} dropped iterations (${pct(g.dropRatio)} of due starts)`);
    if (g.starvedRate !== undefined) parts.push(`starvation checks firing ${pct(g.starvedRate)}`);
    if (g.cpuStarvedRate !== undefined && g.cpuStarvedRate > 0)
      parts.push(`CPU-starvation checks ${pct(g.cpuStarvedRate)}`);
    if (g.lagP95Ms !== undefined) parts.push(`schedule lag p95 ${fmt(g.lagP95Ms, 0)} ms`);
    if (g.headroomMin !== undefined) parts.push(`lowest VU headroom ${pct(g.headroomMin)}`);
    if (g.attainmentMin !== undefined) parts.push(`lowest rate attainment ${pct(g.attainmentMin)}`);
    evidence.push(`generator: ${parts.join(', ')}`);
    const poolEmpty = g.headroomMin !== undefined ? g.headroomMin <= 0.02 : dropping;
    // Where an iteration's time went: waiting on the hub, or the client's own work (JS, CPU wait).
    const overheadShare =
      g.overheadMedMs !== undefined && g.iterationMedMs !== undefined && g.iterationMedMs > 0
        ? g.overheadMedMs / g.iterationMedMs
        : undefined;
    // The VUs were held by slow answers: iterations far longer than the pool was sized for, with the
    // time spent waiting on the network. That is the hub's latency exhausting the pool, not the generator.
    const heldByHub =
      ctx.expectedLatencyMs !== undefined &&
      g.iterationMedMs !== undefined &&
      g.iterationMedMs > 2 * ctx.expectedLatencyMs &&
      (overheadShare === undefined || overheadShare < 0.5);
    // GENERATOR-BOUND on CPU needs evidence from the generator itself: CPU checks while VUs were
    // free, or client-side time dominating the iterations.
    const cpuCarries = cpu && (g.cpuStarvedRate ?? 0) >= 0.5 * (g.starvedRate ?? 0);
    const cpuEvidence =
      (cpuCarries && !poolEmpty) ||
      (overheadShare !== undefined && overheadShare >= 0.5) ||
      (cpuCarries && !heldByHub);
    if (heldByHub && !cpuEvidence) {
      evidence.push(
        `the hub's answers held each VU ${fmt(g.iterationMedMs!, 0)} ms (median iteration) against the ${fmt(ctx.expectedLatencyMs!, 0)} ms the VU pool was sized for` +
          (overheadShare !== undefined ? `; the client's own share of it was ${pct(overheadShare)}` : ''),
      );
      advice.push(
        'the hub answered so slowly that the VU pool ran out: find the hub bottleneck first (more VUs would only queue more transfers in the hub)',
      );
      advice.push(
        `if this latency is the hub's normal one, size the pool for it: EXPECTED_LATENCY_MS=${Math.ceil(g.iterationP95Ms ?? g.iterationMedMs!)} (the p95 iteration)`,
      );
      advice.push('run the ramp profile to find the throughput where latency turns');
      return done('HUB-SATURATED', 'the hub slowed down until the generator ran out of VUs', 'latency');
    }
    const cause = cpuEvidence || !poolEmpty ? 'cpu' : 'vus';
    const runnerVus = ctx.vus !== undefined ? ctx.vus / ctx.parallelism : g.vusMax;
    const hold = g.iterationP95Ms ?? g.iterationMedMs;
    if (cause === 'vus') {
      const need =
        hold !== undefined ? Math.ceil(((perRunner * hold) / 1000) * OBSERVED_VU_HEADROOM) : undefined;
      advice.push(
        need !== undefined
          ? `raise maxVUs = preAllocatedVUs to at least ${need} per runner (${need * ctx.parallelism} in total, a multiple of PARALLELISM=${ctx.parallelism}): ${fmt(perRunner)}/s x ${fmt(hold!, 0)} ms p95 iteration x ${OBSERVED_VU_HEADROOM}${runnerVus !== undefined ? `; it had ${fmt(runnerVus, 0)}` : ''}`
          : `raise maxVUs = preAllocatedVUs (Little: rate x iteration time x ${OBSERVED_VU_HEADROOM} per runner), a multiple of PARALLELISM`,
      );
      advice.push('or set EXPECTED_LATENCY_MS to the observed iteration time so the planner sizes the pool');
      if (need !== undefined && need > 2000) {
        advice.push(
          `${need} VUs per runner is a lot of memory (1-5 MB each): add runners (PARALLELISM) instead`,
        );
      }
      return done('GENERATOR-BOUND', `the generator ran out of VUs (${describeDrops(g)})`, 'vus');
    }
    if (overheadShare !== undefined) {
      evidence.push(
        `the client's own work took ${pct(overheadShare)} of the median iteration (${ms(g.overheadMedMs!)} of ${ms(g.iterationMedMs!)} ms; the rest waited on the network)`,
      );
    }
    if (g.overheadP95Ms !== undefined)
      evidence.push(`client overhead per iteration p95 ${fmt(g.overheadP95Ms, 0)} ms`);
    const more = moreRunners(ctx.parallelism);
    advice.push(
      'the runner is CPU-starved: give each runner more CPU (k6-operator runner resources.limits.cpu; keep it under 80 % busy)',
    );
    advice.push(`or spread the load over more runners: PARALLELISM=${more} (keep maxVUs a multiple of it)`);
    advice.push('cut per-iteration CPU: discardResponseBodies, fewer checks and custom Trends, sign less');
    return done('GENERATOR-BOUND', `the generator is CPU-starved (${describeDrops(g)})`, 'cpu');
  }
  evidence.push('generator kept up: no significant drops, starvation or late starts');

  // --- hub ---
  const driftOn = (h.driftingRate ?? 0) >= SIGNAL_RATE;
  const sawOn = (h.sawtoothRate ?? 0) >= SIGNAL_RATE;
  if (h.driftingRate === undefined && h.sawtoothRate === undefined) {
    evidence.push(
      'latency shape not judged: the hub detectors need 2 min of load (drift) or 3 periods (sawtooth)',
    );
  }
  if (h.pauses > 0) evidence.push(`${h.pauses} latency pause sightings`);
  if (h.stepMs !== undefined && h.stepMs !== 0)
    evidence.push(`a latency level shift of ${fmt(h.stepMs, 0)} ms was seen`);

  if (throughput !== undefined && throughput < THROUGHPUT_FLOOR) {
    if (driftOn) evidence.push(`latency drifting ${describeDrift(h)} (a queue building up)`);
    const total = committedTps! * ctx.parallelism;
    advice.push(
      t.late > 0
        ? `the hub commits about ${fmt(total)} transfers/s in total within TIMEOUT_MS at this load; ${t.late} more outcomes arrived after the timeout, so its raw completion rate is higher (at most ${fmt(((t.committed + t.late) / seconds!) * ctx.parallelism)}/s) but not within the SLO; scale the slowest component (look for growing queues: Kafka consumer lag, DB pool waits)`
        : `the hub completes about ${fmt(total)} transfers/s in total at this load: that is its capacity; scale the slowest component (look for growing queues: Kafka consumer lag, DB pool waits)`,
    );
    advice.push(
      'confirm with the ramp profile: the knee is where committed throughput stops following the target',
    );
    return done(
      'HUB-SATURATED',
      `committed throughput plateaued at ${pct(throughput)} of the target while the generator kept up`,
      'throughput',
    );
  }

  if (sawOn || driftOn) {
    const saw = sawOn && (h.sawtoothRate ?? 0) >= (h.driftingRate ?? 0);
    if (saw) {
      const period = h.sawtoothPeriodS;
      const amp = h.sawtoothAmplitudeMs;
      evidence.push(
        `latency sawtooth in ${pct(h.sawtoothRate!)} of the checks${period !== undefined ? `: period ~${fmt(period, 0)} s` : ''}${amp !== undefined ? `, amplitude ~${fmt(amp, 0)} ms` : ''}`,
      );
      advice.push(
        `a periodic stall${period !== undefined ? ` every ~${fmt(period, 0)} s` : ''}: check GC logs and heap growth, cache/pool flushes and batch jobs of the hub components at that period`,
      );
      return done(
        'HUB-DEGRADING',
        `latency sawtooth${period !== undefined ? ` (period ~${fmt(period, 0)} s` : ''}${amp !== undefined ? `, amplitude ~${fmt(amp, 0)} ms)` : period !== undefined ? ')' : ''}`,
        'sawtooth',
      );
    }
    evidence.push(`latency drifting up in ${pct(h.driftingRate!)} of the checks: ${describeDrift(h)}`);
    const slope = h.driftLastMsPerMin;
    if (slope !== undefined && slope > 0 && t.e2eP99Ms !== undefined && t.e2eP99Ms < 1000) {
      evidence.push(`at that slope p99 would reach 1 s in about ${fmt((1000 - t.e2eP99Ms) / slope, 0)} min`);
    }
    advice.push(
      'latency keeps rising at a steady load: a queue grows (arrivals above the service rate of a component) or a resource leaks (heap, connections); watch queue depths and memory over the run',
    );
    advice.push('run a soak to see whether it levels off, and the ramp profile to find the sustainable rate');
    return done('HUB-DEGRADING', `latency drifting up ${describeDrift(h)}`, 'drift');
  }

  if (invariant.ok === false) {
    advice.push(
      'latency/success misses the Mojaloop invariant at this load with a stable hub: the hub is at capacity for the 1 s SLO; lower the load or scale the hub, and find the knee with the ramp profile',
    );
    return done(
      'HUB-SATURATED',
      `Mojaloop invariant failed at the target load (${failures.join('; ')})`,
      'latency',
    );
  }
  return done('HEALTHY', 'generator kept up, throughput on target, latency stable, invariant met');
}

/** What the most frequent rejection code points at. */
function rejectionAdvice(code: string): string {
  if (/^http40[13]$/.test(code))
    return 'HTTP 401/403 without an FSPIOP error: an ingress or gateway refused the client (credentials, mTLS client certificate, allow lists)';
  if (/^http\d{3}$/.test(code))
    return `HTTP ${code.slice(4)} without an FSPIOP error: something before the hub's API refused the request (an ingress, a gateway, the SDK's own request validation)`;
  if (code === '3100' || code === '3101' || code === '3102')
    return `${rejectionName(code)}: the request does not validate against the hub's API (ids, amounts, headers, FSPIOP_VERSION, ID_KIND, ILP_VERSION)`;
  if (code === '3106')
    return `${rejectionName(code)}: the ILP packet or condition does not match the transfer (ILP_VERSION, ILP_MODE, the ILP secret)`;
  if (code === '3200' || code === '3201' || code === '3202' || code === '3203')
    return `${rejectionName(code)}: the hub does not know the FSP (onboard the payer and payee, or fix the DFSP pool in CONFIG)`;
  if (code === '4001' || code === '4200')
    return `${rejectionName(code)}: the payer's liquidity or net debit cap ran out (fund the payer, raise the limit)`;
  if (code === '3303')
    return `${rejectionName(code)}: transfers expired at the hub (raise TIMEOUT_MS, or the hub is too slow)`;
  return `most rejections are ${rejectionName(code)}`;
}

function describeDrops(g: Signals['generator']): string {
  if (g.dropRatio !== undefined && g.dropped > 0) return `${pct(g.dropRatio)} of due iterations dropped`;
  if (g.lagP95Ms !== undefined && g.lagP95Ms > 250)
    return `starts late by ${Math.round(g.lagP95Ms)} ms at p95`;
  return 'starvation checks firing';
}

function describeDrift(h: Signals['hub']): string {
  const v = h.driftLastMsPerMin;
  const m = h.driftMaxMsPerMin;
  if (v === undefined) return '';
  return `~${fmt(v, 1)} ms/min${m !== undefined && m > v ? ` (up to ${fmt(m, 1)})` : ''}`;
}
