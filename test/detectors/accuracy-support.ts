import type { ClassScore } from '../../corpus/evaluate.ts';

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
