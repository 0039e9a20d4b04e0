/**
 * Generator starvation versus hub stalls, from dropped iterations and schedule lag.
 *
 * k6 drops an arrival-rate iteration when no VU is free at its tick. That happens for two very
 * different reasons:
 * - the hub stalls: every VU is busy waiting on it (vus ≈ vus_max) while latency spikes or
 *   completions stop; the drops are a consequence, and more VUs would only queue more work;
 * - the generator cannot keep up: drops (or a late schedule, `ml_schedule_lag`) while the latency
 *   is flat: too few VUs for the latency (VUs busy) or a CPU-starved runner (VUs not busy).
 * Each second with drops is attributed with the context's `hubNear` (latency elevated or
 * completions stalled within [-2 s, +5 s] without a client stall, a steady state that is queueing,
 * or iterations held far longer than the pool was sized for) and `busy` (vus >= 90% vus_max).
 *
 * Schedule lag is the generator's own evidence. k6 hands a due iteration to an idle VU on time
 * whatever the hub does, so starts run late only when the runner itself cannot keep its schedule
 * (CPU, GC) — while a CPU-starved k6 also inflates the latencies it measures, which is why lateness
 * is not discounted by elevated latency. The kit's `ml_schedule_lag` is measured against the
 * iteration counter, which drops do not advance, so drops leave a permanent offset. A second is
 * "late" when its lag p99 exceeds the floor of the lag p50 over the last 3 s by the threshold and
 * no drop happened in those 3 s: a burst of late starts with VUs to spare, as a CPU-starved
 * scheduler produces (the in-run generator detector uses the same floor idea). The kit's
 * `ml_client_overhead` (client-side time of an iteration) is read the same way: a starved runner
 * stretches the iterations it runs even when it started them on time.
 */

import { GeneratorJudge } from '../../lib/detectors/generator-judge.ts';
import { GENERATOR_DEFAULTS } from '../../lib/detectors/sensitivity.ts';
import type { Detection } from '../model/types.ts';
import type { DetectContext } from './context.ts';
import type { DetectInput, DetectOptions } from './input.ts';
import { burstAbove, ranges } from './stats.ts';

export interface DropAttribution {
  total: number;
  hub: number;
  generator: number;
  /** Generator drops while the VUs were all busy (not enough VUs for the latency). */
  vuLimited: number;
  /** Generator drops while VUs were free (runner CPU or scheduler starved). */
  cpuLimited: number;
  /** Seconds whose starts ran late in a burst with no drop around (the scheduler was starved). */
  lateSeconds: number;
  generatorFlags: boolean[];
  hubFlags: boolean[];
  /** Per second: drops attributed to the generator, and whether its starts ran late in a burst. */
  generatorDrops: number[];
  lateFlags: boolean[];
}

export function attributeDrops(x: DetectInput, ctx: DetectContext, o: DetectOptions): DropAttribution {
  const n = ctx.n;
  const a: DropAttribution = {
    total: 0,
    hub: 0,
    generator: 0,
    vuLimited: 0,
    cpuLimited: 0,
    lateSeconds: 0,
    generatorFlags: new Array(n).fill(false),
    hubFlags: new Array(n).fill(false),
    generatorDrops: new Array(n).fill(0),
    lateFlags: new Array(n).fill(false),
  };
  for (let i = 0; i < n; i++) {
    const d = x.dropped[i]!;
    let recentDrops = false;
    for (let j = Math.max(0, i - 3); j <= i; j++) if (x.dropped[j]! > 0) recentDrops = true;
    const late =
      !recentDrops &&
      (burstAbove(x.lagP99, x.lagP50, i, o.lagThresholdMs) ||
        (x.overheadP99 !== undefined &&
          x.overheadP50 !== undefined &&
          burstAbove(x.overheadP99, x.overheadP50, i, o.lagThresholdMs)));
    if (d > 0) {
      a.total += d;
      if (ctx.hubNear[i] && ctx.busy[i]) {
        a.hub += d;
        a.hubFlags[i] = true;
      } else {
        a.generator += d;
        a.generatorFlags[i] = true;
        a.generatorDrops[i] = d;
        if (ctx.busy[i]) a.vuLimited += d;
        else a.cpuLimited += d;
      }
    } else if (late) {
      a.lateSeconds++;
      a.generatorFlags[i] = true;
      a.lateFlags[i] = true;
    }
  }
  return a;
}

/**
 * Generator starvation judged by the in-run detector's rules (lib/detectors/generator-judge.ts),
 * fed one bucket per second of the steady state: due = started + the drops attributed to the
 * generator, headroom from vus / vus_max, late = a second of late bursts.
 */
function judgeSeconds(
  x: DetectInput,
  ctx: DetectContext,
  a: DropAttribution,
): { flags: boolean[]; vus: number; cpu: number } {
  let maxVUs = 0;
  for (let i = 0; i < ctx.n; i++)
    if (Number.isFinite(x.vusMax[i]!) && x.vusMax[i]! > maxVUs) maxVUs = x.vusMax[i]!;
  const judge = new GeneratorJudge({ maxVUs: Math.max(1, maxVUs), bucketMs: 1000 });
  const flags: boolean[] = new Array(ctx.n).fill(false);
  let vus = 0;
  let cpu = 0;
  for (let i = 0; i < ctx.n; i++) {
    const cap = x.vusMax[i]!;
    const busyVus = x.vus[i]!;
    const head = Number.isFinite(cap) && cap > 0 && Number.isFinite(busyVus) ? 1 - busyVus / cap : Number.NaN;
    const started = x.started[i]!;
    const v = judge.push({
      started: Number.isFinite(started) ? started : Number.NaN,
      due: Number.isFinite(started) ? started + a.generatorDrops[i]! : Number.NaN,
      spanMs: 1000,
      minHeadroom: head,
      headroomSum: Number.isNaN(head) ? 0 : head,
      headroomCount: Number.isNaN(head) ? 0 : 1,
      late: a.lateFlags[i] ? 1 : 0,
      cpuLoad: Number.NaN,
    });
    flags[i] = v.starved;
    if (v.cause === 'vus') vus++;
    else if (v.cause === 'cpu') cpu++;
  }
  return { flags, vus, cpu };
}

export function detectStarvation(x: DetectInput, ctx: DetectContext, a: DropAttribution): Detection[] {
  const out: Detection[] = [];
  let scheduled = 0;
  for (let i = 0; i < ctx.n; i++) scheduled += x.started[i]! + x.dropped[i]!;
  const judged = judgeSeconds(x, ctx, a);
  // Over the whole steady state too: drops or late seconds the windows were too short to hold on to.
  const d = GENERATOR_DEFAULTS;
  const dropsCount = a.generator >= Math.max(d.minRunDrops, d.runDropShare * scheduled);
  const lateCount = a.lateSeconds >= Math.max(d.minLateStarts, d.runLateShare * ctx.n);
  if (judged.vus + judged.cpu > 0 || dropsCount || lateCount) {
    // VU shortage drops every second it lasts (at least 1% of the schedule); a starved scheduler
    // shows late bursts, and at most a few drops when a burst finds no idle VU.
    const vuShort =
      a.vuLimited >= a.cpuLimited &&
      a.vuLimited >= Math.max(d.minRunDrops, d.runDropShare * scheduled, lateCount ? 0.01 * scheduled : 0);
    // Iterations spent mostly on the client itself are CPU whatever the pool did (the in-run rule).
    const clientBound = ctx.overheadShare >= 0.5;
    const cause = clientBound
      ? 'cpu'
      : judged.vus + judged.cpu > 0
        ? judged.vus >= judged.cpu
          ? 'vus'
          : 'cpu'
        : vuShort
          ? 'vus'
          : 'cpu';
    const parts: string[] = [];
    if (a.generator > 0)
      parts.push(
        `${a.generator} dropped iterations under flat latency (${share(a.generator, scheduled)} of scheduled)`,
      );
    if (a.lateSeconds > 0)
      parts.push(`${a.lateSeconds} s of late bursts in the schedule with no drop around`);
    // The generator's own time, when the kit measured it: a CPU-bound runner spends its iterations
    // on itself, a hub-bound one waiting on the network.
    const ownShare = Number.isFinite(ctx.overheadShare)
      ? `; client-side time ${(ctx.overheadShare * 100).toFixed(1)}% of the iteration (p50 ${ctx.holdP50.toFixed(0)} ms)`
      : '';
    const why = clientBound
      ? 'the iterations spent most of their time on the client itself (a CPU-bound script or runner)'
      : cause === 'vus'
        ? 'all VUs were busy under flat latency: too few VUs for the latency'
        : 'the runner could not keep its schedule although VUs were free (CPU or GC starved)';
    out.push({
      kind: 'generator_starvation',
      side: 'generator',
      summary: `${parts.join(', ')}: ${why}${ownShare}`,
      ranges: ranges(
        judged.flags.map((f, i) => f || a.generatorFlags[i]!),
        x.offsetSec,
        2,
      ),
      evidence: {
        cause,
        generatorDrops: a.generator,
        vuLimitedDrops: a.vuLimited,
        cpuLimitedDrops: a.cpuLimited,
        lateSeconds: a.lateSeconds,
        starvedSeconds: judged.vus + judged.cpu,
        scheduled,
        overheadShare: Number.isFinite(ctx.overheadShare) ? Math.round(ctx.overheadShare * 1000) / 1000 : '-',
        baselineP95Ms: Number.isFinite(ctx.baselineP95) ? Math.round(ctx.baselineP95 * 10) / 10 : '-',
      },
    });
  }
  if (a.hub > 0) {
    const how = ctx.heldByHub
      ? `while the hub's answers held every VU: iterations took ${ctx.holdP50.toFixed(0)} ms (p50) against the ${x.plannedHoldMs!.toFixed(0)} ms the VU pool was sized for, ${Number.isFinite(ctx.overheadShare) ? `${(ctx.overheadShare * 100).toFixed(1)}%` : 'an unknown share'} of it client-side`
      : ctx.queued
        ? `while the hub was queueing (latency ${ctx.baselineP50.toFixed(1)} ms against ${x.floorLatP50?.toFixed(1)} ms lightly loaded) with all VUs busy`
        : 'with hub stalls (latency spikes or stalled completions with all VUs busy)';
    out.push({
      kind: 'hub_stall_drops',
      side: 'hub',
      summary: `${a.hub} dropped iterations coincide ${how}: a consequence of the hub, not a generator problem`,
      ranges: ranges(a.hubFlags, x.offsetSec, 2),
      evidence: {
        hubDrops: a.hub,
        scheduled,
        share: share(a.hub, scheduled),
        ...(ctx.heldByHub
          ? {
              holdP50Ms: Math.round(ctx.holdP50),
              holdP95Ms: Number.isFinite(ctx.holdP95) ? Math.round(ctx.holdP95) : '-',
              plannedHoldMs: Math.round(x.plannedHoldMs!),
            }
          : {}),
      },
    });
  }
  return out;
}

function share(a: number, b: number): string {
  return b > 0 ? `${((a / b) * 100).toFixed(2)}%` : '-';
}
