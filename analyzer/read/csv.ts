/**
 * k6 `--out csv` reader. The header is `metric_name,timestamp,metric_value`, then every enabled
 * indexable system tag (alphabetical), then `extra_tags,metadata`. Non-system tags, including the
 * run tags `instance_id` and `testrun_name` that k6-operator adds, live in `extra_tags` as
 * `k=v&k=v` (unordered). The timestamp follows `K6_CSV_TIME_FORMAT` (see `parseCsvTimestamp`).
 *
 * CSV carries no metric types; the analyzer knows the metrics it uses by name. Quoted fields
 * (Go's encoding/csv quotes values containing commas or quotes) are handled; a record that spans
 * several lines is not supported and is counted as malformed.
 */

import type { LineSink } from './lines.ts';
import type { ParseStats, SampleSink } from './sample.ts';
import { parseCsvTimestamp } from './timestamps.ts';

/** Splits one CSV record; returns undefined when quotes are unbalanced. */
export function splitCsv(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let val = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        val += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          val += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(val);
      if (i >= n) return out;
      if (line.charCodeAt(i) !== 44) return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** Parses `k=v&k=v` into `into` (empty string: nothing). */
function parsePairs(s: string, into: Record<string, string>): void {
  if (s.length === 0) return;
  let start = 0;
  while (start <= s.length) {
    let amp = s.indexOf('&', start);
    if (amp < 0) amp = s.length;
    const eq = s.indexOf('=', start);
    if (eq > start && eq < amp) into[s.slice(start, eq)] = s.slice(eq + 1, amp);
    start = amp + 1;
  }
}

export function csvLineSink(sink: SampleSink, stats: ParseStats): LineSink {
  let header: string[] | undefined;
  let tagCols: { idx: number; name: string }[] = [];
  let extraIdx = -1;
  return {
    lines(batch: string[], firstLineNo: number): void {
      for (let i = 0; i < batch.length; i++) {
        let line = batch[i]!;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length === 0) {
          stats.ignored++;
          continue;
        }
        if (header === undefined) {
          const cols = splitCsv(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
          if (
            cols === undefined ||
            cols[0] !== 'metric_name' ||
            cols[1] !== 'timestamp' ||
            cols[2] !== 'metric_value'
          ) {
            stats.bad(firstLineNo + i, 'CSV header must start with metric_name,timestamp,metric_value');
            // Keep going: without a header no row can be read, every row is then malformed.
            header = [];
            continue;
          }
          header = cols;
          tagCols = [];
          for (let c = 3; c < cols.length; c++) {
            const name = cols[c]!;
            if (name === 'extra_tags') extraIdx = c;
            else if (name !== 'metadata') tagCols.push({ idx: c, name });
          }
          continue;
        }
        if (header.length === 0) {
          stats.bad(firstLineNo + i, 'no valid CSV header before this row');
          continue;
        }
        const cells = splitCsv(line);
        if (cells === undefined || cells.length < 3) {
          stats.bad(firstLineNo + i, 'CSV row with unbalanced quotes or fewer than 3 columns');
          continue;
        }
        const metric = cells[0]!;
        const time = parseCsvTimestamp(cells[1]!);
        if (metric.length === 0 || Number.isNaN(time)) {
          stats.bad(firstLineNo + i, `bad metric_name or timestamp '${cells[1]}'`);
          continue;
        }
        const valueCell = cells[2]!;
        const value = valueCell.length === 0 ? Number.NaN : Number(valueCell);
        if (!Number.isFinite(value)) {
          stats.bad(firstLineNo + i, `metric_value '${valueCell}' of ${metric} is not a number`);
          continue;
        }
        const tags: Record<string, string> = {};
        for (let t = 0; t < tagCols.length; t++) {
          const col = tagCols[t]!;
          const v = cells[col.idx];
          if (v !== undefined && v.length > 0) tags[col.name] = v;
        }
        if (extraIdx >= 0) {
          const extra = cells[extraIdx];
          if (extra !== undefined) parsePairs(extra, tags);
        }
        stats.points++;
        sink.point(metric, time, value, tags);
      }
    },
  };
}
