import type { HubDetectorOptions } from '../../../lib/detectors/hub.ts';
import {
  type GeneratorCase,
  type GeneratorClass,
  generatorCases,
  generatorTrace,
  type HubCase,
  type HubClass,
  hubCases,
  type View,
} from './catalog.ts';
import { iterationsOfVu } from './generator-trace.ts';
import { latencyTrace } from './latency-trace.ts';
import { runGeneratorDetector, runHubDetector } from './series.ts';

/**
 * Runs the detectors over the corpus and scores them: the numbers behind the accuracy tests and
 * the benchmark's confusion table.
 */
export interface HubOutcome {
  c: HubCase;
  everDrifting: boolean;
  everSawtooth: boolean;
  everStepping: boolean;
  finalLabel: string;
  pauses: number;
  driftMsPerMin: number;
  periodS: number;
  amplitudeMs: number;
  samples: number;
}

export function evaluateHubCase(c: HubCase, opts: HubDetectorOptions = {}): HubOutcome {
  const tr = latencyTrace(c.spec);
  const r = runHubDetector(tr.t, tr.v, { bucketMs: c.bucketMs, ...opts }, undefined, c.spec.durationS * 1000);
  return {
    c,
    everDrifting: r.everDrifting,
    everSawtooth: r.everSawtooth,
    everStepping: r.everStepping,
    finalLabel: r.final.label,
    pauses: r.pauses,
    driftMsPerMin: r.final.driftMsPerMin,
    periodS: r.final.sawtoothPeriodS,
    amplitudeMs: r.final.sawtoothAmplitudeMs,
    samples: tr.length,
  };
}

/** Is the outcome what the class requires? (positives: detected; negatives: no alarm at any time) */
export function hubCorrect(o: HubOutcome): boolean {
  switch (o.c.expect) {
    case 'drift':
      return o.everDrifting && o.finalLabel === 'drift' && !o.everSawtooth;
    case 'sawtooth':
      return o.finalLabel === 'sawtooth';
    case 'none':
      return !o.everDrifting && !o.everSawtooth;
  }
}

export interface GeneratorOutcome {
  c: GeneratorCase;
  everStarved: boolean;
  mainCause: 'none' | 'vus' | 'cpu';
  minAttainment: number;
  iterations: number;
  dropped: number;
}

export function evaluateGeneratorCase(c: GeneratorCase): GeneratorOutcome {
  const tr = generatorTrace(c.spec);
  const opts = { schedule: tr.schedule, scenarioStartMs: tr.scenarioStartMs, maxVUs: c.spec.maxVUs };
  const r =
    c.view === 'global'
      ? runGeneratorDetector(tr, opts)
      : runGeneratorDetector(tr, opts, undefined, iterationsOfVu(tr, c.vu));
  return {
    c,
    everStarved: r.everStarved,
    mainCause: r.mainCause,
    minAttainment: r.minAttainment,
    iterations: tr.length,
    dropped: tr.dropped.length,
  };
}

export function generatorCorrect(o: GeneratorOutcome): boolean {
  if (o.c.expect === 'none') return !o.everStarved;
  return o.everStarved && o.mainCause === o.c.expect;
}

/** One row of the confusion table. */
export interface ClassScore {
  family: 'hub' | 'generator';
  cls: HubClass | GeneratorClass;
  view: View;
  positive: boolean;
  n: number;
  /** positives: detected with the right label / n; negatives: alarms / n */
  rate: number;
  /** positives: true-positive rate; negatives: false-positive rate */
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

export function scoreHub(
  cls: HubClass,
  view: View,
  count: number,
  seed = 1,
): { score: ClassScore; outcomes: HubOutcome[] } {
  const outcomes = hubCases(cls, view, count, seed).map((c) => evaluateHubCase(c));
  const positive = outcomes[0]?.c.expect !== 'none';
  const ok = outcomes.filter(hubCorrect).length;
  const n = outcomes.length;
  const score: ClassScore = positive
    ? { family: 'hub', cls, view, positive, n, rate: ok / n, tp: ok / n, fn: 1 - ok / n, fp: 0, tn: 0 }
    : { family: 'hub', cls, view, positive, n, rate: 1 - ok / n, tp: 0, fn: 0, fp: 1 - ok / n, tn: ok / n };
  return { score, outcomes };
}

export function scoreGenerator(
  cls: GeneratorClass,
  view: View,
  count: number,
  seed = 1,
): { score: ClassScore; outcomes: GeneratorOutcome[] } {
  const outcomes = generatorCases(cls, view, count, seed).map(evaluateGeneratorCase);
  const positive = outcomes[0]?.c.expect !== 'none';
  const ok = outcomes.filter(generatorCorrect).length;
  const n = outcomes.length;
  const score: ClassScore = positive
    ? { family: 'generator', cls, view, positive, n, rate: ok / n, tp: ok / n, fn: 1 - ok / n, fp: 0, tn: 0 }
    : {
        family: 'generator',
        cls,
        view,
        positive,
        n,
        rate: 1 - ok / n,
        tp: 0,
        fn: 0,
        fp: 1 - ok / n,
        tn: ok / n,
      };
  return { score, outcomes };
}
