/**
 * What handleSummary returns: the human text on stdout plus the JSON result, a copy of the text and
 * the JUnit XML under RESULTS_DIR (default `results/`, checked in the init context:
 * lib/config/results-dir.ts); stdout only when there is no directory, and the text says why.
 * Pure: the k6 glue only passes the data.
 * File names carry the scenario and, when several runners share the test, the runner index, so
 * runners writing to a shared volume do not overwrite each other.
 */

import type { ResultsDir } from '../config/results-dir.ts';
import { readSummary } from '../metrics/summary-view.ts';
import { verdictJson } from '../verdict/format.ts';
import { renderJunit } from './junit.ts';
import { buildResult, type RunInfo, type RunResult } from './result.ts';
import { isVerdict, renderText } from './text.ts';

export interface SummaryFiles {
  json: string;
  text: string;
  junit: string;
}

export function summaryFiles(run: RunInfo, resultsDir: string): SummaryFiles {
  const dir = resultsDir.replace(/\/+$/, '') || '.';
  const suffix = run.parallelism > 1 && run.runner !== undefined ? `-runner${run.runner}` : '';
  const base = `${dir}/${run.scenario}${suffix}`;
  return { json: `${base}-result.json`, text: `${base}-summary.txt`, junit: `${base}-junit.xml` };
}

/** Optional verdict (lib/verdict), computed from the same summary data. */
export type VerdictFn = (summaryData: unknown) => unknown;

export function summaryOutputs(
  data: unknown,
  run: RunInfo,
  results: string | ResultsDir,
  verdict?: VerdictFn,
): { outputs: Record<string, string>; result: RunResult } {
  const where: ResultsDir = typeof results === 'string' ? { dir: results, note: undefined } : results;
  const result = buildResult(readSummary(data), run);
  if (verdict) {
    try {
      const v = verdict(data);
      result.verdict = isVerdict(v) ? verdictJson(v) : v;
    } catch (e) {
      result.verdict = { status: 'error', summary: `verdict failed: ${(e as Error).message}` };
    }
  }
  if (where.dir === undefined) {
    return { outputs: { stdout: renderText(result, [], where.note ?? 'no result files') }, result };
  }
  const files = summaryFiles(run, where.dir);
  const text = renderText(result, [files.text, files.json, files.junit]);
  return {
    outputs: {
      stdout: text,
      [files.text]: text,
      [files.json]: `${JSON.stringify(result, null, 2)}\n`,
      [files.junit]: renderJunit(result),
    },
    result,
  };
}
