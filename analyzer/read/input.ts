/**
 * Reads one k6 output file of either format into a {@link SampleSink}. The format is sniffed from
 * the first non-blank line (after gunzip), not trusted from the file name: `{` means `--out json`,
 * a `metric_name,` header means `--out csv`. When neither matches, the name decides (`.csv`,
 * `.csv.gz`) and the unreadable lines are counted as malformed.
 */
import type { InputSummary } from '../model/types.ts';
import { csvLineSink } from './csv.ts';
import { type LineSink, readLines } from './lines.ts';
import { ndjsonLineSink } from './ndjson.ts';
import { ParseStats, type SampleSink } from './sample.ts';

export type InputFormat = 'json' | 'csv';

/** An {@link InputSummary} whose `format` is the sniffed one. */
export interface FileReport extends InputSummary {
  format: InputFormat | 'unknown';
}

function formatFromName(file: string): InputFormat {
  return /\.csv(\.gz)?$/i.test(file) ? 'csv' : 'json';
}

export async function readInput(
  file: string,
  sink: SampleSink,
  onBytes?: (n: number) => void,
): Promise<FileReport> {
  const stats = new ParseStats();
  let inner: LineSink | undefined;
  let format: InputFormat | undefined;
  const sniffing: LineSink = {
    lines(batch, firstLineNo) {
      if (inner === undefined) {
        let k = 0;
        while (k < batch.length && batch[k]!.trim().length === 0) k++;
        if (k === batch.length) {
          stats.ignored += batch.length;
          return;
        }
        const first = batch[k]!.replace(/^\uFEFF/, '').trimStart();
        if (first.startsWith('{')) format = 'json';
        else if (first.startsWith('metric_name,')) format = 'csv';
        else format = formatFromName(file);
        inner = format === 'json' ? ndjsonLineSink(sink, stats) : csvLineSink(sink, stats);
        if (k > 0) stats.ignored += k;
        if (format === 'json' && batch[k]!.charCodeAt(0) === 0xfeff) batch[k] = batch[k]!.slice(1);
        inner.lines(k === 0 ? batch : batch.slice(k), firstLineNo + k);
        return;
      }
      inner.lines(batch, firstLineNo);
    },
  };
  const read = await readLines(file, sniffing, onBytes);
  const report: FileReport = {
    file,
    format: format ?? 'unknown',
    gzip: read.gzip,
    bytes: read.bytes,
    lines: read.lines,
    points: stats.points,
    malformed: stats.malformed,
    examples: stats.examples,
  };
  if (read.truncated !== undefined) report.truncated = read.truncated;
  return report;
}
