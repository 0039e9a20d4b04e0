/**
 * Renders the detectors' labelled corpus (corpus/) as k6 `--out json` files, so the analyzer can
 * be scored on it end to end: files are read, aggregated per second and classified exactly as a
 * user's run would be.
 *
 * What a case becomes (kit metrics, one runner, timestamps like k6 stamps them):
 * - hub latency traces: per transfer, `ml_transfer_e2e` at its completion (send + latency);
 *   `ml_transfers_sent` / `ml_transfers_committed` / `iterations` as per-second Counter points
 *   (a Counter point may carry any value; one point per second keeps files small);
 * - generator traces: per started iteration, `ml_schedule_lag` at its start (start against the
 *   schedule's due time of the runner's iteration counter, as the kit measures it), and at its
 *   end `ml_transfer_e2e`, `iteration_duration` and `ml_client_overhead` (the trace's client-side
 *   time); drops as `dropped_iterations` points per second; `vus` (VUs busy at the sampling
 *   instant) and `vus_max` once per second, like k6's 1-s sampler. A rejected transfer (the verdict
 *   corpus) ends as `ml_transfers_rejected` (tagged `error_code`, `stage`, per second) and a failing
 *   `checks` sample named by its reason (lib/metrics/rejection-reasons.ts), as the kit records it.
 *
 * And what the analyzer must say, per the corpus labels: hub `drift` → a latency_growth finding
 * without a sawtooth; `sawtooth` → a sawtooth finding; hub negatives → neither. Generator `vus` /
 * `cpu` → generator_starvation with that cause; generator negatives → no generator_starvation.
 * Verdict cases → the verdict's status and culprit, with the evidence the case names
 * (`verdictCaseProblems`).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../../../analyzer/model/types.ts';
import { reasonName } from '../../../lib/metrics/rejection-reasons.ts';
import type { GeneratorCase, HubCase, VerdictCase } from './catalog.ts';
import { evidenceProblems, type VerdictTruth } from './evaluate.ts';
import { generatorTrace, TRACE_EPOCH_MS } from './generator-trace.ts';
import { TimeFormatter } from './k6-output.ts';
import { latencyTrace } from './latency-trace.ts';

const RUN_TAGS = '"instance_id":"1","testrun_name":"corpus"';

class LineFile {
  private buf: string[] = [];
  private size = 0;
  private readonly ws;
  constructor(readonly path: string) {
    this.ws = createWriteStream(path, { highWaterMark: 1 << 20 });
  }
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
  }
  /** Writes the buffer out once it is large (call between batches of lines). */
  async maybeFlush(): Promise<void> {
    if (this.size > 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    const chunk = `${this.buf.join('\n')}\n`;
    this.buf = [];
    this.size = 0;
    if (!this.ws.write(chunk)) await new Promise<void>((r) => this.ws.once('drain', () => r()));
  }
  async close(): Promise<void> {
    if (this.buf.length > 0) await this.flush();
    await new Promise<void>((r) => this.ws.end(() => r()));
  }
}

function point(tf: TimeFormatter, metric: string, ms: number, value: number, extraTags = ''): string {
  return `{"metric":"${metric}","type":"Point","data":{"time":"${tf.rfc3339Nano(ms)}","value":${value},"tags":{${extraTags}${RUN_TAGS}}}}`;
}

/** Per-second counts of `times` (epoch ms) over [originMs, originMs + seconds*1000). */
function perSecond(times: ArrayLike<number>, originMs: number, seconds: number): Float64Array {
  const out = new Float64Array(seconds);
  for (let i = 0; i < times.length; i++) {
    const s = Math.floor((times[i]! - originMs) / 1000);
    if (s >= 0 && s < seconds) out[s]!++;
  }
  return out;
}

/** Writes one hub case as a k6 JSON file; returns its path. */
export async function renderHubCase(c: HubCase, dir: string, name: string): Promise<string> {
  const tr = latencyTrace(c.spec);
  const n = tr.length;
  const origin = TRACE_EPOCH_MS;
  const done = new Float64Array(n);
  for (let i = 0; i < n; i++) done[i] = origin + tr.t[i]! + tr.v[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => done[a]! - done[b]!);
  const seconds = Math.ceil(
    (Math.max(c.spec.durationS * 1000, n > 0 ? done[order[n - 1]!]! - origin : 0) + 1) / 1000,
  );
  const sends = new Float64Array(n);
  for (let i = 0; i < n; i++) sends[i] = origin + tr.t[i]!;
  const sent = perSecond(sends, origin, seconds);
  const committed = perSecond(done, origin, seconds);
  const f = new LineFile(join(dir, `${name}.json`));
  const tf = new TimeFormatter();
  let k = 0;
  for (let s = 0; s < seconds; s++) {
    await f.maybeFlush();
    const end = origin + (s + 1) * 1000;
    const t0 = origin + s * 1000;
    if (sent[s]! > 0) f.line(point(tf, 'ml_transfers_sent', t0, sent[s]!));
    while (k < n && done[order[k]!]! < end) {
      const i = order[k]!;
      f.line(point(tf, 'ml_transfer_e2e', done[i]!, tr.v[i]!, '"outcome":"committed",'));
      k++;
    }
    if (committed[s]! > 0) {
      f.line(point(tf, 'ml_transfers_committed', end - 1, committed[s]!));
      f.line(point(tf, 'iterations', end - 1, committed[s]!));
    }
  }
  await f.close();
  return f.path;
}

/** Writes one generator (or verdict) case as a k6 JSON file; returns its path. */
export async function renderGeneratorCase(
  c: Pick<GeneratorCase, 'spec'>,
  dir: string,
  name: string,
): Promise<string> {
  const tr = generatorTrace(c.spec);
  const n = tr.length;
  const origin = tr.scenarioStartMs;
  let last = origin + c.spec.durationS * 1000;
  for (let i = 0; i < n; i++) if (tr.end[i]! > last) last = tr.end[i]!;
  const seconds = Math.ceil((last - origin + 1) / 1000);
  const started = perSecond(tr.start, origin, seconds);
  const rej = c.spec.rejections;
  const endsOf = (rejected: 0 | 1) => tr.end.filter((_, i) => tr.rejected[i] === rejected);
  const ended = perSecond(endsOf(0), origin, seconds);
  const refused = perSecond(endsOf(1), origin, seconds);
  const rejectedTags = rej ? `"error_code":"${rej.code}","phase":"transfers","stage":"${rej.stage}",` : '';
  const checkTags = rej ? `"check":${JSON.stringify(reasonName(rej.code, rej.description))},` : '';
  const dropped = perSecond(tr.dropped, origin, seconds);
  // Busy VUs at each sampling instant (s + 0.5): starts minus ends before it.
  const startsSorted = Float64Array.from(tr.start).sort();
  const endsSorted = Float64Array.from(tr.end).sort();
  const f = new LineFile(join(dir, `${name}.json`));
  const tf = new TimeFormatter();
  // Events in time order: starts (lag) and ends (e2e) merged.
  const byEnd = Array.from({ length: n }, (_, i) => i).sort((a, b) => tr.end[a]! - tr.end[b]!);
  let si = 0;
  let ei = 0;
  let sp = 0;
  let ep = 0;
  for (let s = 0; s < seconds; s++) {
    await f.maybeFlush();
    const t0 = origin + s * 1000;
    const end = t0 + 1000;
    const sample = t0 + 500;
    while (si < n || ei < n) {
      const ts = si < n ? tr.start[si]! : Number.POSITIVE_INFINITY;
      const te = ei < n ? tr.end[byEnd[ei]!]! : Number.POSITIVE_INFINITY;
      if (Math.min(ts, te) >= end) break;
      if (ts <= te) {
        const lag = ts - (origin + tr.schedule.dueAt(tr.iteration[si]!));
        f.line(point(tf, 'ml_schedule_lag', ts, Math.max(0, lag)));
        si++;
      } else {
        const i = byEnd[ei]!;
        const rejected = tr.rejected[i] === 1;
        const took = tr.end[i]! - tr.start[i]!;
        f.line(point(tf, 'ml_transfer_e2e', te, took, `"outcome":"${rejected ? 'rejected' : 'committed'}",`));
        if (rejected) f.line(point(tf, 'checks', te, 0, checkTags));
        f.line(point(tf, 'iteration_duration', te, took));
        f.line(point(tf, 'ml_client_overhead', te, tr.overhead[i]!));
        ei++;
      }
    }
    while (sp < n && startsSorted[sp]! <= sample) sp++;
    while (ep < n && endsSorted[ep]! <= sample) ep++;
    f.line(point(tf, 'vus', sample, sp - ep));
    f.line(point(tf, 'vus_max', sample, c.spec.maxVUs));
    if (started[s]! > 0) f.line(point(tf, 'ml_transfers_sent', end - 1, started[s]!));
    if (dropped[s]! > 0) f.line(point(tf, 'dropped_iterations', end - 1, dropped[s]!));
    if (ended[s]! > 0) f.line(point(tf, 'ml_transfers_committed', end - 1, ended[s]!));
    if (refused[s]! > 0) f.line(point(tf, 'ml_transfers_rejected', end - 1, refused[s]!, rejectedTags));
    if (ended[s]! + refused[s]! > 0) f.line(point(tf, 'iterations', end - 1, ended[s]! + refused[s]!));
  }
  await f.close();
  return f.path;
}

/** Whether the analyzer's report says what a hub case's label requires. */
export function hubCaseCorrect(expect: HubCase['expect'], r: AnalysisReport): boolean {
  const growth = r.detections.some((d) => d.kind === 'latency_growth');
  const saw = r.detections.some((d) => d.kind === 'sawtooth');
  switch (expect) {
    case 'drift':
      return growth && !saw;
    case 'sawtooth':
      return saw;
    case 'none':
      return !growth && !saw;
  }
}

/** Whether the analyzer's report says what a generator case's label requires. */
export function generatorCaseCorrect(expect: GeneratorCase['expect'], r: AnalysisReport): boolean {
  const g = r.detections.find((d) => d.kind === 'generator_starvation');
  if (expect === 'none') return g === undefined;
  return g !== undefined && g.evidence['cause'] === expect;
}

/** The analyzer's evidence patterns (analyzer/verdict.ts, analyzer/detect/starvation.ts). */
export const ANALYZER_EVIDENCE = {
  share: /transfers rejected \((\d+(?:\.\d+)?)%\)/,
  hold: /iterations took (\d+) ms \(p50\)/,
  planned: /against the (\d+) ms the VU pool was sized for/,
  overheadShare: /client-side time (\d+(?:\.\d+)?)% of the iteration/,
};

/** What is wrong with the analyzer's report on a verdict case (empty: status, culprit and evidence right). */
export function verdictCaseProblems(c: VerdictCase, truth: VerdictTruth, r: AnalysisReport): string[] {
  const out: string[] = [];
  const v = r.verdict;
  if (v.status !== c.expect.status) out.push(`status ${v.status}, expected ${c.expect.status}`);
  if (v.culprit !== c.expect.culprit) out.push(`culprit ${v.culprit}, expected ${c.expect.culprit}`);
  out.push(...evidenceProblems(c, truth, v.evidence.join('\n'), ANALYZER_EVIDENCE));
  return out;
}
