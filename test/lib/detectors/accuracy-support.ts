import { expect } from 'vitest';
import type { ClassScore, HubOutcome } from '../../support/traces/evaluate.ts';

/** Prints a confusion table row set (so CI logs show the measured rates). */
export function printScores(title: string, scores: ClassScore[]): void {
  const lines = [`${title}`, 'class                  view    n    TP     FN     FP     TN'];
  for (const s of scores) {
    const f = (x: number, on: boolean) => (on ? x.toFixed(3) : '  -  ').padEnd(7);
    lines.push(
      `${s.cls.padEnd(22)} ${s.view.padEnd(7)} ${String(s.n).padEnd(4)} ${f(s.tp, s.positive)}${f(s.fn, s.positive)}${f(s.fp, !s.positive)}${f(s.tn, !s.positive)}`,
    );
  }
  console.log(lines.join('\n'));
}

/**
 * The estimates of detected positives: drift slope median relative error under 15 %; sawtooth
 * period p90 relative error under 10 % and amplitude median relative error under 20 %.
 */
export function expectEstimates(cls: string, outcomes: readonly HubOutcome[]): void {
  if (cls === 'drift') {
    const errs = outcomes
      .filter((o) => o.finalLabel === 'drift')
      .map((o) => Math.abs(o.driftMsPerMin / (o.c.spec.shape as { msPerMin: number }).msPerMin - 1))
      .sort((a, b) => a - b);
    expect(errs[errs.length >> 1]).toBeLessThan(0.15);
  }
  if (cls === 'sawtooth') {
    const found = outcomes.filter((o) => o.finalLabel === 'sawtooth');
    const perr = found
      .map((o) => Math.abs(o.periodS / (o.c.spec.shape as { periodS: number }).periodS - 1))
      .sort((a, b) => a - b);
    const aerr = found
      .map((o) => Math.abs(o.amplitudeMs / (o.c.spec.shape as { amplitudeMs: number }).amplitudeMs - 1))
      .sort((a, b) => a - b);
    expect(perr[Math.floor(perr.length * 0.9)]).toBeLessThan(0.1);
    expect(aerr[aerr.length >> 1]).toBeLessThan(0.2);
  }
}
