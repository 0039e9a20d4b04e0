/**
 * Writes simulated samples as real k6 output files: `--out json` (NDJSON, k6 v2 key order, a
 * `Metric` line before a metric's first `Point`) or `--out csv` (k6's default header; run and
 * custom tags in `extra_tags`), one file per runner, optionally gzip-compressed. Output is
 * buffered and written with back-pressure, so generating millions of lines stays in bounded memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type SynthEmitter, type SynthSpec, type SynthTruth, simulate, type Tags } from './k6-run.ts';

export type CsvTimeFormat = 'unix' | 'unix_milli' | 'unix_micro' | 'unix_nano' | 'rfc3339' | 'rfc3339_nano';

export interface WriteOptions {
  format: 'json' | 'csv';
  gzip?: boolean;
  csvTimeFormat?: CsvTimeFormat;
  /** File name stem; runner r gets `<stem>-<r>.<ext>` (default `runner`). */
  stem?: string;
  /** Write all runners into a single file instead of one per runner. */
  singleFile?: boolean;
}

const CSV_HEADER =
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
const CSV_SYSTEM = [
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
];
const SYSTEM_SET = new Set(CSV_SYSTEM);

/** RFC3339Nano with nanosecond digits, formatted fast by caching the date-and-second prefix. */
export class TimeFormatter {
  private sec = Number.NaN;
  private prefix = '';
  rfc3339Nano(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.sec) {
      this.sec = s;
      this.prefix = new Date(s * 1000).toISOString().slice(0, 19);
    }
    const ns = Math.floor((ms - s * 1000) * 1e6);
    return `${this.prefix}.${String(ns).padStart(9, '0')}Z`;
  }
  csv(ms: number, f: CsvTimeFormat): string {
    switch (f) {
      case 'unix':
        return String(Math.floor(ms / 1000));
      case 'unix_milli':
        return String(Math.floor(ms));
      case 'unix_micro':
        return String(Math.floor(ms * 1000));
      case 'unix_nano': {
        const whole = Math.floor(ms);
        return `${whole}${String(Math.floor((ms - whole) * 1e6)).padStart(6, '0')}`;
      }
      case 'rfc3339':
        return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
      case 'rfc3339_nano':
        return this.rfc3339Nano(ms);
    }
  }
}

class Sink {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stream: Writable) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
  }
  get pending(): number {
    return this.size;
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = `${this.buf.join('\n')}\n`;
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((res) => this.stream.once('drain', () => res()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((res, rej) => {
      this.stream.once('error', rej);
      this.stream.end(() => res());
    });
  }
}

/** Runs the model of `spec` and writes its output into `dir`; returns the files and the truth. */
export async function writeSyntheticRun(
  spec: SynthSpec,
  dir: string,
  opts: WriteOptions,
): Promise<{ files: string[]; truth: SynthTruth }> {
  const n = spec.runners ?? 1;
  const stem = opts.stem ?? 'runner';
  const ext = (opts.format === 'json' ? '.json' : '.csv') + (opts.gzip ? '.gz' : '');
  const files: string[] = [];
  const sinks: Sink[] = [];
  const finals: WriteStream[] = [];
  const fileCount = opts.singleFile ? 1 : n;
  for (let i = 0; i < fileCount; i++) {
    const file = join(dir, opts.singleFile ? `${stem}${ext}` : `${stem}-${i + 1}${ext}`);
    files.push(file);
    const ws = createWriteStream(file, { highWaterMark: 1 << 20 });
    finals.push(ws);
    let stream: Writable = ws;
    if (opts.gzip) {
      const gz = createGzip({ level: 1 });
      gz.pipe(ws);
      stream = gz;
    }
    const sink = new Sink(stream);
    if (opts.format === 'csv') sink.line(CSV_HEADER);
    sinks.push(sink);
  }
  const tf = new TimeFormatter();
  const declared = Array.from({ length: fileCount }, () => new Set<string>());
  const tagJson = new Map<Tags, string>();
  const tagCsv = new Map<Tags, string>();
  const csvFormat = opts.csvTimeFormat ?? 'unix';
  const jsonTags = (t: Tags) => {
    let s = tagJson.get(t);
    if (s === undefined) {
      const sorted: Record<string, string> = {};
      for (const k of Object.keys(t).sort()) sorted[k] = t[k]!;
      s = JSON.stringify(sorted);
      tagJson.set(t, s);
    }
    return s;
  };
  const csvTags = (t: Tags) => {
    let s = tagCsv.get(t);
    if (s === undefined) {
      const sys = CSV_SYSTEM.map((k) => t[k] ?? '').join(',');
      const extraTags = Object.keys(t)
        .filter((k) => !SYSTEM_SET.has(k))
        .map((k) => `${k}=${t[k]}`)
        .join('&');
      s = `${sys},${extraTags},`;
      tagCsv.set(t, s);
    }
    return s;
  };
  const emitter: SynthEmitter = {
    point(runner, metric, type, timeMs, value, tags) {
      const f = opts.singleFile ? 0 : runner;
      const sink = sinks[f]!;
      if (opts.format === 'json') {
        const d = declared[f]!;
        if (!d.has(metric)) {
          d.add(metric);
          const contains = type === 'trend' && metric !== 'ml_phase_duration' ? 'time' : 'default';
          sink.line(
            `{"type":"Metric","data":{"name":"${metric}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${metric}"}`,
          );
        }
        sink.line(
          `{"metric":"${metric}","type":"Point","data":{"time":"${tf.rfc3339Nano(timeMs)}","value":${value},"tags":${jsonTags(tags)}}}`,
        );
      } else {
        sink.line(`${metric},${tf.csv(timeMs, csvFormat)},${value.toFixed(6)},${csvTags(tags)}`);
      }
    },
    async second() {
      for (const s of sinks) if (s.pending > 1 << 20) await s.flush();
    },
  };
  const truth = await simulate(spec, emitter);
  await Promise.all(sinks.map((s) => s.close()));
  await Promise.all(
    finals.map(
      (ws) => new Promise<void>((res) => (ws.writableFinished ? res() : ws.once('finish', () => res()))),
    ),
  );
  return { files, truth };
}
