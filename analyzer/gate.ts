/**
 * The validity gate: whether the numbers of a run can be trusted at all, before anyone reads its
 * TPS or percentiles. A run that fails any check is INVALID whatever its figures: a missing runner
 * silently removes its share of the load, and counts that do not reconcile mean transfers were
 * lost or double-counted.
 *
 * Checks: inputs readable (malformed lines are tolerated but reported; a file with no usable line
 * fails), one test run (`testrun_name`), every runner present (`--runners N`, no gap in
 * `instance_id` 1..max) and covering the whole run, transfer counts reconciling
 * (sent = committed + rejected + timed out), and the simulator ledger agreeing (`--ledger`).
 */

import { humanDuration } from '../lib/config/duration.ts';
import type { Ledger } from './ledger.ts';
import type { Counts, Gate, GateCheck, InputSummary, RunnerSummary } from './model/types.ts';

export interface GateInput {
  flavour: 'kit' | 'builtin';
  durationSec: number;
  totals: Counts;
  runners: RunnerSummary[];
  inputs: InputSummary[];
  testruns: string[];
  /** Expected number of runners (`--runners`), if known. */
  expectedRunners?: number;
  ledger?: Ledger;
  steadyFallback: boolean;
  /** True when any throughput metric (iterations or ml_transfers_*) was seen. */
  hasThroughput: boolean;
}

/** A runner may start later / stop earlier than the run by this much before it counts as missing. */
export function coverageToleranceSec(durationSec: number): number {
  return Math.max(5, 0.03 * durationSec);
}

export function runGate(g: GateInput): Gate {
  const checks: GateCheck[] = [];
  const add = (name: string, status: GateCheck['status'], detail: string) =>
    checks.push({ name, status, detail });

  // Inputs.
  const empty = g.inputs.filter((f) => f.points === 0);
  const malformed = g.inputs.reduce((s, f) => s + f.malformed, 0);
  const truncated = g.inputs.filter((f) => f.truncated !== undefined);
  if (empty.length > 0) {
    add(
      'inputs',
      'fail',
      `no usable sample in ${empty.map((f) => f.file).join(', ')}${empty[0]!.examples[0] ? ` (line ${empty[0]!.examples[0].line}: ${empty[0]!.examples[0].reason})` : ''}`,
    );
  } else if (malformed > 0 || truncated.length > 0) {
    const parts: string[] = [];
    if (malformed > 0) {
      const first = g.inputs.find((f) => f.malformed > 0)!;
      parts.push(
        `${malformed} malformed line(s) skipped (first: ${first.file} line ${first.examples[0]?.line}: ${first.examples[0]?.reason})`,
      );
    }
    for (const f of truncated) parts.push(`${f.file}: ${f.truncated}`);
    add('inputs', 'warn', parts.join('; '));
  } else {
    add('inputs', 'pass', `${g.inputs.length} file(s) read, no malformed line`);
  }
  if (!g.hasThroughput) {
    add('throughput', 'fail', 'no iterations or ml_transfers_* samples: nothing measures completed work');
  }

  // One test run.
  if (g.testruns.length > 1) {
    add('testrun', 'fail', `files of different test runs are mixed: testrun_name ${g.testruns.join(', ')}`);
  }

  // Runners present.
  const ids = g.runners.filter((r) => r.instanceId !== null).map((r) => r.instanceId!);
  const problems: string[] = [];
  if (g.expectedRunners !== undefined && g.runners.length !== g.expectedRunners) {
    problems.push(`${g.runners.length} runner(s) found, ${g.expectedRunners} expected (--runners)`);
  }
  const numeric = ids.map(Number).filter((x) => Number.isInteger(x) && x >= 1);
  if (numeric.length > 0) {
    const have = new Set(numeric);
    const top = Math.max(...numeric, g.expectedRunners ?? 0);
    const missing: number[] = [];
    for (let i = 1; i <= top && missing.length < 20; i++) if (!have.has(i)) missing.push(i);
    if (missing.length > 0) problems.push(`instance_id ${missing.join(', ')} missing (ids run 1..${top})`);
  }
  if (problems.length > 0) add('runners', 'fail', problems.join('; '));
  else
    add(
      'runners',
      'pass',
      `${g.runners.length} runner(s)${g.expectedRunners !== undefined ? ' as expected' : ''}${ids.length > 0 ? ` (instance_id ${ids.join(', ')})` : ' (one per file)'}`,
    );
  const multi = g.runners.filter((r) => r.files.length > 1);
  if (multi.length > 0) {
    add(
      'duplicate_inputs',
      'warn',
      multi.map((r) => `instance_id ${r.instanceId} appears in ${r.files.join(' and ')}`).join('; ') +
        ': if these are two outputs of the same runner (e.g. json and csv), every count is doubled',
    );
  }

  // Runner coverage.
  const tol = coverageToleranceSec(g.durationSec);
  const gaps: string[] = [];
  for (const r of g.runners) {
    if (r.firstSec > tol) gaps.push(`${label(r)} starts ${humanDuration(r.firstSec * 1000)} into the run`);
    const endGap = g.durationSec - r.lastSec;
    if (endGap > tol)
      gaps.push(
        `${label(r)} stops ${humanDuration(endGap * 1000)} before the end (at ${humanDuration(r.lastSec * 1000)})`,
      );
  }
  if (g.runners.length > 0) {
    add(
      'runner_coverage',
      gaps.length > 0 ? 'fail' : 'pass',
      gaps.length > 0
        ? `${gaps.join('; ')} (tolerance ${humanDuration(tol * 1000)})`
        : `every runner covers the run within ${humanDuration(tol * 1000)}`,
    );
  }

  // Counts reconcile.
  if (g.flavour === 'kit') {
    const t = g.totals;
    const finals = t.committed + t.rejected + t.transportFailed + t.timedOut;
    const perRunner = g.runners
      .filter(
        (r) =>
          r.counts.sent !==
          r.counts.committed + r.counts.rejected + r.counts.transportFailed + r.counts.timedOut,
      )
      .map(
        (r) =>
          `${label(r)}: sent ${r.counts.sent} vs ${r.counts.committed + r.counts.rejected + r.counts.transportFailed + r.counts.timedOut} outcomes`,
      );
    if (t.sent === finals && perRunner.length === 0) {
      add(
        'counts',
        'pass',
        `sent ${t.sent} = committed ${t.committed} + rejected ${t.rejected} + transport failed ${t.transportFailed} + timed out ${t.timedOut}` +
          (t.neverArrived > 0 ? ` (of which ${t.neverArrived} never arrived within the run)` : ''),
      );
    } else {
      const diff = t.sent - finals;
      add(
        'counts',
        'fail',
        `sent ${t.sent} ≠ committed ${t.committed} + rejected ${t.rejected} + transport failed ${t.transportFailed} + timed out ${t.timedOut} = ${finals} (${diff > 0 ? `${diff} without an outcome` : `${-diff} outcomes too many`})${perRunner.length > 0 ? `; ${perRunner.slice(0, 10).join('; ')}` : ''}`,
      );
    }
    if (t.accepted > t.sent) add('accepted', 'fail', `accepted ${t.accepted} > sent ${t.sent}`);
  } else {
    add('counts', 'skip', 'plain k6 metrics only: no per-transfer outcome counters to reconcile');
  }

  // Ledger.
  if (g.ledger !== undefined) {
    checks.push(...ledgerChecks(g.ledger, g.totals, g.flavour));
  }

  if (g.steadyFallback)
    add(
      'steady_state',
      'warn',
      'run too short for warm-up and drain trims: steady-state figures are the full run',
    );

  return { valid: !checks.some((c) => c.status === 'fail'), checks };
}

function label(r: RunnerSummary): string {
  return r.instanceId !== null ? `runner instance_id=${r.instanceId}` : `runner of ${r.files.join(', ')}`;
}

/**
 * The hub's ledger against the k6 counts. A transfer k6 timed out may still have committed (or
 * been rejected) at the hub afterwards, so the ledger may exceed k6 by at most the timed-out count:
 * k6.committed <= ledger.committed <= k6.committed + k6.timedOut, and likewise for rejections the
 * hub saw (k6 rejections at stage `sync` may never reach the ledger), for transfers the hub
 * received against those k6 saw accepted, and for transfers still in flight at the hub. The
 * ledger can never hold more transfers than k6 sent.
 */
export function ledgerChecks(l: Ledger, t: Counts, flavour: 'kit' | 'builtin'): GateCheck[] {
  if (flavour !== 'kit') {
    return [
      {
        name: 'ledger',
        status: 'skip',
        detail: 'plain k6 metrics only: no transfer counts to compare with the ledger',
      },
    ];
  }
  const out: GateCheck[] = [];
  const rejTotal = Object.values(l.rejected).reduce((s, n) => s + n, 0);
  const problems: string[] = [];
  if (l.committed < t.committed || l.committed > t.committed + t.timedOut) {
    problems.push(
      t.timedOut === 0
        ? `ledger committed ${l.committed} ≠ k6 committed ${t.committed}`
        : `ledger committed ${l.committed} outside k6 committed ${t.committed} .. ${t.committed + t.timedOut} (+ timed out)`,
    );
  }
  if (rejTotal < t.rejectedAsync || rejTotal > t.rejected + t.timedOut) {
    problems.push(
      `ledger rejected ${rejTotal} outside k6 rejected by the hub ${t.rejectedAsync} .. ${t.rejected + t.timedOut} (+ sync rejections and timed out)`,
    );
  }
  const ledgerTotal = l.committed + rejTotal + (l.timedOut ?? 0) + (l.inFlight ?? 0);
  if (ledgerTotal > t.sent)
    problems.push(`ledger holds ${ledgerTotal} transfers, more than the ${t.sent} k6 sent`);
  if (
    l.received !== undefined &&
    t.accepted > 0 &&
    (l.received < t.accepted || l.received > t.accepted + t.timedOut)
  ) {
    problems.push(
      `ledger received ${l.received} outside k6 accepted ${t.accepted} .. ${t.accepted + t.timedOut} (+ timed out)`,
    );
  }
  if (l.inFlight !== undefined && l.inFlight > t.timedOut) {
    problems.push(
      `${l.inFlight} transfers still in flight at the hub, more than the ${t.timedOut} k6 timed out`,
    );
  }
  out.push({
    name: 'ledger',
    status: problems.length > 0 ? 'fail' : 'pass',
    detail:
      problems.length > 0
        ? problems.join('; ')
        : `ledger committed ${l.committed}, rejected ${rejTotal}${l.timedOut !== undefined ? `, timed out ${l.timedOut}` : ''}${l.received !== undefined ? `, received ${l.received}` : ''}${l.inFlight !== undefined ? `, in flight ${l.inFlight}` : ''} agree with k6 (sent ${t.sent}, accepted ${t.accepted}, committed ${t.committed}, rejected ${t.rejected}, timed out ${t.timedOut})`,
  });
  return out;
}
