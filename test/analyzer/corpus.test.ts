/**
 * Accuracy through the analyzer: the detectors' labelled corpus (test/support/traces/catalog.ts),
 * rendered as k6 output files (test/support/traces/k6-corpus.ts), must reach the rates the in-run
 * detectors are held to: true-positive rate >= 0.95 on every positive class, false-positive rate
 * <= 0.02 on every negative class (global view: what the analyzer sees).
 *
 * Cases per class: ANALYZER_CORPUS_N (default 4, to keep CI short: each case is a 3- or 10-minute
 * run rendered to a file and analyzed; with 4 cases a negative class must have no false alarm and
 * a positive class no miss). Run with a larger N to measure the rates, e.g.
 * ANALYZER_CORPUS_N=50 npx vitest run test/analyzer/corpus.test.ts.
 *
 * The verdict corpus (catalog.ts `verdictCases`) goes through too, with the run's target and the
 * latency its VU pool was sized for (`--target-tps`, `--expected-latency-ms`): every case must get
 * its status and culprit, with the evidence its class names — rejections by code, description and
 * share (REJECTED, culprit hub); the hub's hold against the planned latency (HUB-SATURATED,
 * culprit hub); the client's share of the iteration (GENERATOR-BOUND, culprit generator).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/index.ts';
import {
  GENERATOR_CLASSES,
  generatorCases,
  HUB_CLASSES,
  hubCases,
  VERDICT_CLASSES,
  verdictCases,
} from '../support/traces/catalog.ts';
import { verdictTruth } from '../support/traces/evaluate.ts';
import { generatorTrace } from '../support/traces/generator-trace.ts';
import {
  generatorCaseCorrect,
  hubCaseCorrect,
  renderGeneratorCase,
  renderHubCase,
  verdictCaseProblems,
} from '../support/traces/k6-corpus.ts';
import { tempDir } from './helpers.ts';

const N = Number(process.env['ANALYZER_CORPUS_N'] ?? 4);
const tmp = tempDir('analyzer-corpus-');
afterAll(() => tmp.cleanup());

function rateOk(positive: boolean, correct: number, n: number): boolean {
  return positive ? correct / n >= 0.95 : (n - correct) / n <= 0.02;
}

describe(`corpus through the analyzer (${N} cases per class)`, () => {
  it.each(HUB_CLASSES.map((c) => [c]))(
    'hub class %s',
    async (cls) => {
      const cases = hubCases(cls, 'global', N, 1);
      const wrong: string[] = [];
      for (const [k, c] of cases.entries()) {
        const file = await renderHubCase(c, tmp.dir, `${cls}-${k}`);
        const r = await analyze([file]);
        rmSync(file);
        if (!hubCaseCorrect(c.expect, r))
          wrong.push(`case ${k}: ${r.detections.map((d) => d.kind).join(', ') || 'no finding'}`);
      }
      const positive = cases[0]!.expect !== 'none';
      expect(
        rateOk(positive, N - wrong.length, N),
        `${cls} (expect ${cases[0]!.expect}): ${wrong.join('; ')}`,
      ).toBe(true);
    },
    300_000,
  );

  it.each(GENERATOR_CLASSES.map((c) => [c]))(
    'generator class %s',
    async (cls) => {
      const cases = generatorCases(cls, 'global', N, 1);
      const wrong: string[] = [];
      for (const [k, c] of cases.entries()) {
        const file = await renderGeneratorCase(c, tmp.dir, `${cls}-${k}`);
        const r = await analyze([file]);
        rmSync(file);
        if (!generatorCaseCorrect(c.expect, r)) {
          const g = r.detections.find((d) => d.kind === 'generator_starvation');
          wrong.push(`case ${k}: ${g ? `starvation, cause ${g.evidence['cause']}` : 'no starvation'}`);
        }
      }
      const positive = cases[0]!.expect !== 'none';
      expect(
        rateOk(positive, N - wrong.length, N),
        `${cls} (expect ${cases[0]!.expect}): ${wrong.join('; ')}`,
      ).toBe(true);
    },
    300_000,
  );

  it.each(VERDICT_CLASSES.map((c) => [c]))(
    'verdict class %s',
    async (cls) => {
      const cases = verdictCases(cls, N, 1);
      const wrong: string[] = [];
      for (const [k, c] of cases.entries()) {
        const file = await renderGeneratorCase(c, tmp.dir, `${cls}-${k}`);
        const r = await analyze([file], { targetTps: c.targetTps, expectedLatencyMs: c.expectedLatencyMs });
        rmSync(file);
        const problems = verdictCaseProblems(c, verdictTruth(generatorTrace(c.spec)), r);
        if (problems.length > 0)
          wrong.push(`case ${k}: ${problems.join('; ')}\n    ${r.verdict.evidence.join('\n    ')}`);
      }
      expect(
        wrong,
        `${cls} (expect ${cases[0]!.expect.status}, culprit ${cases[0]!.expect.culprit})`,
      ).toEqual([]);
    },
    300_000,
  );
});
