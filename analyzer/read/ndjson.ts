/**
 * k6 `--out json` reader. Each line is one JSON object:
 * - `{"type":"Metric","data":{"name","type","contains",...},"metric":"<name>"}` declares a metric
 *   (written just before its first Point);
 * - `{"type":"Point","data":{"time":"<RFC3339Nano>","value":<n>,"tags":{...},"metadata":{...}},"metric":"<name>"}`
 *   is one sample (Trend values in ms).
 * Anything else is counted as malformed with its line number and reason.
 *
 * Speed: a Point line as k6 v2 writes it (`{"metric":..,"type":"Point","data":{"time":..,"value":..,
 * "tags":{..}[,"metadata":{..}]}}`, string tags without escapes) is read by a small scanner that
 * checks the whole shape and skips building the JSON object tree, faster than `JSON.parse`. Any other line (another key
 * order, escapes, a cut-off line) goes through `JSON.parse`, so the result never depends on the path.
 */

import type { LineSink } from './lines.ts';
import type { ParseStats, SampleSink, Tags } from './sample.ts';
import { parseRfc3339 } from './timestamps.ts';

/** Result slot of {@link fastPoint} (reused: no allocation per line besides the tag object). */
export interface FastPoint {
  metric: string;
  time: string;
  value: number;
  tags: Record<string, string> | undefined;
}

const P_METRIC = '{"metric":"';
const P_POINT = '","type":"Point","data":{"time":"';
const P_VALUE = '","value":';
const P_TAGS = ',"tags":';
const P_META = ',"metadata":';

/**
 * Scans `{"k":"v",...}` starting at `pos` (strings without backslashes). Stores pairs into `into`
 * when given. Returns the index after the closing brace, or -1 when the text is anything else.
 */
function scanFlatObject(line: string, pos: number, into: Record<string, string> | null): number {
  if (line.charCodeAt(pos) !== 123 /* { */) return -1;
  let i = pos + 1;
  if (line.charCodeAt(i) === 125 /* } */) return i + 1;
  for (;;) {
    if (line.charCodeAt(i) !== 34 /* " */) return -1;
    const kEnd = line.indexOf('"', i + 1);
    if (kEnd < 0) return -1;
    const key = line.slice(i + 1, kEnd);
    if (key.indexOf('\\') >= 0 || key === '__proto__') return -1;
    if (line.charCodeAt(kEnd + 1) !== 58 /* : */ || line.charCodeAt(kEnd + 2) !== 34) return -1;
    const vEnd = line.indexOf('"', kEnd + 3);
    if (vEnd < 0) return -1;
    const val = line.slice(kEnd + 3, vEnd);
    if (val.indexOf('\\') >= 0) return -1;
    if (into !== null) into[key] = val;
    const c = line.charCodeAt(vEnd + 1);
    if (c === 125) return vEnd + 2;
    if (c !== 44 /* , */) return -1;
    i = vEnd + 2;
  }
}

/**
 * Reads a k6 v2 Point line without JSON.parse. Returns false when the line has any other shape
 * (the caller then uses JSON.parse, which also produces the error message for bad lines).
 */
export function fastPoint(line: string, out: FastPoint): boolean {
  if (!line.startsWith(P_METRIC)) return false;
  const mEnd = line.indexOf('"', P_METRIC.length);
  if (mEnd < 0 || !line.startsWith(P_POINT, mEnd)) return false;
  const metric = line.slice(P_METRIC.length, mEnd);
  if (metric.indexOf('\\') >= 0) return false;
  const tStart = mEnd + P_POINT.length;
  const tEnd = line.indexOf('"', tStart);
  if (tEnd < 0 || !line.startsWith(P_VALUE, tEnd)) return false;
  const vStart = tEnd + P_VALUE.length;
  let j = vStart;
  for (; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (!((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 43 || c === 101 || c === 69)) break;
  }
  if (j === vStart) return false;
  const value = Number(line.slice(vStart, j));
  if (!Number.isFinite(value)) return false;
  let tags: Record<string, string> | undefined;
  if (line.startsWith(P_TAGS, j)) {
    j += P_TAGS.length;
    if (line.startsWith('null', j)) j += 4;
    else {
      tags = {};
      j = scanFlatObject(line, j, tags);
      if (j < 0) return false;
    }
  }
  if (line.startsWith(P_META, j)) {
    j = scanFlatObject(line, j + P_META.length, null);
    if (j < 0) return false;
  }
  if (j !== line.length - 2 || line.charCodeAt(j) !== 125 || line.charCodeAt(j + 1) !== 125) return false;
  out.metric = metric;
  out.time = line.slice(tStart, tEnd);
  out.value = value;
  out.tags = tags;
  return true;
}

interface PointLine {
  type?: unknown;
  metric?: unknown;
  data?: { time?: unknown; value?: unknown; tags?: unknown; name?: unknown; type?: unknown } | null;
}

export function ndjsonLineSink(sink: SampleSink, stats: ParseStats): LineSink {
  const fp: FastPoint = { metric: '', time: '', value: 0, tags: undefined };
  return {
    lines(batch: string[], firstLineNo: number): void {
      for (let i = 0; i < batch.length; i++) {
        let line = batch[i]!;
        if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
        if (line.length === 0) {
          stats.ignored++;
          continue;
        }
        if (fastPoint(line, fp)) {
          const time = parseRfc3339(fp.time);
          if (!Number.isNaN(time)) {
            stats.points++;
            sink.point(fp.metric, time, fp.value, fp.tags);
            continue;
          }
        }
        let obj: PointLine;
        try {
          obj = JSON.parse(line) as PointLine;
        } catch {
          stats.bad(firstLineNo + i, 'not valid JSON');
          continue;
        }
        if (obj === null || typeof obj !== 'object') {
          stats.bad(firstLineNo + i, 'not a JSON object');
          continue;
        }
        const data = obj.data;
        if (obj.type === 'Point') {
          const metric = obj.metric;
          if (typeof metric !== 'string' || data === null || typeof data !== 'object') {
            stats.bad(firstLineNo + i, 'Point without "metric" or "data"');
            continue;
          }
          const value = data.value;
          if (typeof value !== 'number' || !Number.isFinite(value)) {
            stats.bad(firstLineNo + i, `Point of ${metric}: "value" is not a finite number`);
            continue;
          }
          const time = typeof data.time === 'string' ? parseRfc3339(data.time) : Number.NaN;
          if (Number.isNaN(time)) {
            stats.bad(firstLineNo + i, `Point of ${metric}: "time" is not an RFC3339 timestamp`);
            continue;
          }
          const tags = data.tags;
          stats.points++;
          sink.point(
            metric,
            time,
            value,
            tags !== null && typeof tags === 'object' ? (tags as Tags) : undefined,
          );
        } else if (obj.type === 'Metric') {
          const name = typeof obj.metric === 'string' ? obj.metric : data?.name;
          if (typeof name !== 'string') {
            stats.bad(firstLineNo + i, 'Metric line without a name');
            continue;
          }
          stats.declarations++;
          sink.declare(name, typeof data?.type === 'string' ? data.type : 'unknown');
        } else {
          stats.bad(
            firstLineNo + i,
            `unknown line type ${JSON.stringify(obj.type)} (expected "Point" or "Metric")`,
          );
        }
      }
    },
  };
}
