/**
 * The shape every reader (NDJSON, CSV) reduces a k6 output line to, and the per-file tally of lines
 * that could not be used. Readers never throw on a bad line: they count it and keep the first few
 * examples (file line number and reason) for the report.
 */

/** Tags of one sample as k6 wrote them (`instance_id`, `status`, `outcome`, `phase`, ...). */
export type Tags = Readonly<Record<string, string>>;

export interface SampleSink {
  /** One data point: metric name, epoch milliseconds, value (Trend values in ms), tags. */
  point(metric: string, timeMs: number, value: number, tags: Tags | undefined): void;
  /** A `Metric` declaration line of `--out json` (type: counter, gauge, rate, trend). */
  declare(metric: string, type: string): void;
}

export interface LineIssue {
  line: number;
  reason: string;
}

/** How many examples of malformed lines are kept per file. */
export const MAX_EXAMPLES = 5;

export class ParseStats {
  points = 0;
  declarations = 0;
  /** Lines that are well-formed but carry nothing to analyze (unknown `type`, blank lines). */
  ignored = 0;
  malformed = 0;
  readonly examples: LineIssue[] = [];

  bad(line: number, reason: string): void {
    this.malformed++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push({ line, reason });
  }
}
