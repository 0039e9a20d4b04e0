import type { HubDetectorOptions } from '../../../lib/detectors/hub.ts';
import { reasonText } from '../../../lib/metrics/rejection-reasons.ts';
import { rejectionName } from '../../../lib/protocol/error-codes.ts';
import { computeVerdict, type Verdict } from '../../../lib/verdict/verdict.ts';
import {
  type GeneratorCase,
  type GeneratorClass,
  generatorCases,
  generatorTrace,
  type HubCase,
  type HubClass,
  hubCases,
  type VerdictCase,
  type View,
} from './catalog.ts';
import { type GeneratorTrace, iterationsOfVu } from './generator-trace.ts';
import { inRunSummary } from './in-run.ts';
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

/** What a verdict case's trace really holds: the truth its verdicts are checked against. */
export interface VerdictTruth {
  sent: number;
  rejected: number;
  dropped: number;
  due: number;
  /** median iteration time, ms */
  iterationMedMs: number;
}

export function verdictTruth(tr: GeneratorTrace): VerdictTruth {
  const d = Float64Array.from({ length: tr.length }, (_, i) => tr.end[i]! - tr.start[i]!).sort();
  let rejected = 0;
  for (let i = 0; i < tr.length; i++) rejected += tr.rejected[i]!;
  return {
    sent: tr.length,
    rejected,
    dropped: tr.dropped.length,
    due: tr.due,
    iterationMedMs: d.length > 0 ? d[d.length >> 1]! : Number.NaN,
  };
}

export interface VerdictOutcome {
  c: VerdictCase;
  truth: VerdictTruth;
  /** the in-run verdict of the runner's summary */
  verdict: Verdict;
  /** the generator detector over the whole trace (its label, not the verdict) */
  detector: { everStarved: boolean; mainCause: 'none' | 'vus' | 'cpu' };
}

/** The in-run verdict of a verdict case: its trace replayed through the kit's runner (in-run.ts). */
export function evaluateVerdictCase(c: VerdictCase): VerdictOutcome {
  const tr = generatorTrace(c.spec);
  const verdict = computeVerdict(inRunSummary(tr), {
    targetTps: c.targetTps,
    parallelism: 1,
    durationS: c.spec.durationS,
    vus: c.spec.maxVUs,
    expectedLatencyMs: c.expectedLatencyMs,
  });
  const r = runGeneratorDetector(tr, {
    schedule: tr.schedule,
    scenarioStartMs: tr.scenarioStartMs,
    maxVUs: c.spec.maxVUs,
  });
  return {
    c,
    truth: verdictTruth(tr),
    verdict,
    detector: { everStarved: r.everStarved, mainCause: r.mainCause },
  };
}

/** A number matched by `re` (its first group) in `text`, or NaN. */
export function numberIn(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Within `rel` of `want`? */
const near = (got: number, want: number, rel: number): boolean =>
  Math.abs(got - want) <= rel * Math.abs(want);

/**
 * What the evidence of a verdict of case `c` must name (both verdicts word it their own way, so
 * the patterns are given): the rejection's code, description and share; the hub's hold against
 * the planned latency; the generator's own evidence. Returns what is missing (empty: correct).
 */
export function evidenceProblems(
  c: VerdictCase,
  truth: VerdictTruth,
  evidence: string,
  patterns: { share: RegExp; hold: RegExp; planned: RegExp; overheadShare: RegExp },
): string[] {
  const out: string[] = [];
  switch (c.cls) {
    case 'rejected': {
      const r = c.spec.rejections!;
      if (!evidence.includes(rejectionName(r.code))) out.push(`no code ${rejectionName(r.code)}`);
      if (!evidence.includes(reasonText(r.description)))
        out.push(`no description "${reasonText(r.description)}"`);
      const share = numberIn(evidence, patterns.share);
      if (!near(share, (100 * truth.rejected) / truth.sent, 0.02))
        out.push(`share ${share}% named, truth ${((100 * truth.rejected) / truth.sent).toFixed(1)}%`);
      break;
    }
    case 'hub-holds-vus': {
      const hold = numberIn(evidence, patterns.hold);
      if (!near(hold, truth.iterationMedMs, 0.15))
        out.push(`hold ${hold} ms named, truth ${truth.iterationMedMs.toFixed(0)} ms`);
      const planned = numberIn(evidence, patterns.planned);
      if (planned !== Math.round(c.expectedLatencyMs))
        out.push(`planned ${planned} ms named, truth ${Math.round(c.expectedLatencyMs)} ms`);
      break;
    }
    case 'cpu-bound': {
      const share = numberIn(evidence, patterns.overheadShare);
      if (!(share >= 50)) out.push(`client overhead share ${share}% named, expected >= 50 %`);
      break;
    }
  }
  return out;
}

/** The in-run verdict's evidence patterns (lib/verdict/verdict.ts). */
export const IN_RUN_EVIDENCE = {
  share: /transfers rejected \((\d+(?:\.\d+)?)%/,
  hold: /held each VU (\d+) ms \(median iteration\)/,
  planned: /against the (\d+) ms the VU pool was sized for/,
  overheadShare: /the client's own work took (\d+(?:\.\d+)?)% of the median iteration/,
};

/** What is wrong with an in-run outcome (empty: status, cause, detector label and evidence right). */
export function verdictProblems(o: VerdictOutcome): string[] {
  const out: string[] = [];
  const v = o.verdict;
  if (v.status !== o.c.expect.status) out.push(`status ${v.status}, expected ${o.c.expect.status}`);
  if (v.cause !== o.c.expect.cause) out.push(`cause ${v.cause ?? '-'}, expected ${o.c.expect.cause}`);
  const d = o.detector;
  const detectorOk = o.c.detector === 'none' ? !d.everStarved : d.everStarved && d.mainCause === o.c.detector;
  if (!detectorOk)
    out.push(`detector ${d.everStarved ? d.mainCause : 'never starved'}, expected ${o.c.detector}`);
  out.push(...evidenceProblems(o.c, o.truth, v.evidence.join('\n'), IN_RUN_EVIDENCE));
  return out;
}
