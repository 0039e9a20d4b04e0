/**
 * Series-level detection over the global (all runners) per-second series of the steady state.
 *
 * - Latency drift, sawtooth and latency pauses: the in-run hub detector (lib/detectors/hub.ts) fed
 *   with one bucket per second (detect/hub-series.ts): same algorithm, same thresholds.
 * - Throughput plateau, completion stalls, and generator starvation versus hub-caused drops: the
 *   analyzer's own (detect/plateau.ts, pauses.ts, starvation.ts). The in-run generator detector
 *   needs per-iteration events (start, iteration index, active VUs) that k6 output files do not
 *   carry; the analyzer works from dropped_iterations, vus/vus_max and ml_schedule_lag instead.
 * Which side a plateau is blamed on is decided here: when drops under flat latency account for at
 * least half the shortfall the generator failed to offer the load, otherwise the hub failed to
 * complete it.
 */
import type { Detection } from '../model/types.ts';
import { detectContext } from './context.ts';
import { detectHubSeries } from './hub-series.ts';
import { DEFAULT_DETECT_OPTIONS, type DetectInput, type DetectOptions } from './input.ts';
import { detectPauses } from './pauses.ts';
import { detectPlateau } from './plateau.ts';
import { attributeDrops, type DropAttribution, detectStarvation } from './starvation.ts';
import { mean } from './stats.ts';

export type { DetectInput, DetectOptions } from './input.ts';
export { DEFAULT_DETECT_OPTIONS } from './input.ts';

export interface DetectResult {
  detections: Detection[];
  drops: Omit<DropAttribution, 'generatorFlags' | 'hubFlags' | 'generatorDrops' | 'lateFlags'>;
  /** The hub detector saw a level shift (informational: not a degradation by itself). */
  latencyStep: { seen: boolean; lastStepMs: number };
  /** The steady state runs well above the lightly-loaded latency (see DetectContext.queued). */
  queued: boolean;
}

export function detectAll(
  x: DetectInput,
  latencyName = 'latency',
  opts: Partial<DetectOptions> = {},
): DetectResult {
  const o: DetectOptions = { ...DEFAULT_DETECT_OPTIONS, ...opts };
  const ctx = detectContext(x, o);
  const detections: Detection[] = [];
  const attribution = attributeDrops(x, ctx, o);
  const plateau = detectPlateau(x, ctx, o);
  if (plateau !== undefined) {
    const shortfall = Math.max(0, mean(x.target) - mean(x.achieved)) * ctx.n;
    if (shortfall > 0 && attribution.generator >= 0.5 * shortfall) {
      plateau.side = 'generator';
      plateau.summary += '; the generator did not offer the load (drops under flat latency)';
    } else if (ctx.queued) {
      plateau.summary += `; latency sits at ${ctx.baselineP50.toFixed(1)} ms against ${x.floorLatP50?.toFixed(1)} ms when lightly loaded (queueing in the hub)`;
    }
    detections.push(plateau);
  }
  const hub = detectHubSeries(x, latencyName);
  detections.push(...hub.detections);
  let pauses = detectPauses(x, ctx, o, latencyName, hub.pauseFlags);
  const saw = hub.detections.find((d) => d.kind === 'sawtooth');
  if (saw !== undefined) {
    // The rise of a sawtooth trips the pause check before the sawtooth is recognised: a latency
    // excursion within the sawtooth's own amplitude, with completions flowing, is the sawtooth.
    const amp = Number(saw.evidence['amplitudeMs']);
    pauses = pauses.filter(
      (p) =>
        Number(p.evidence['minAchievedTps']) <= o.stallShare * ctx.medianAchieved ||
        !(Number(p.evidence['maxP95Ms']) <= ctx.baselineP95 + 1.5 * amp),
    );
  }
  detections.push(...pauses);
  detections.push(...detectStarvation(x, ctx, attribution));
  const { generatorFlags: _g, hubFlags: _h, generatorDrops: _d, lateFlags: _l, ...drops } = attribution;
  return {
    detections,
    drops,
    latencyStep: { seen: hub.stepping, lastStepMs: hub.lastStepMs },
    queued: ctx.queued,
  };
}
