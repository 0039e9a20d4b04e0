/**
 * The verdict vocabulary, one for the in-run verdict (lib/verdict/verdict.ts, printed by
 * handleSummary) and the post-run analyzer (analyzer/verdict.ts): the same statuses with the same
 * meanings and the same exit codes. docs/verdicts.md explains each once.
 *
 * Exit codes sit outside k6's own range (97-110: 99 thresholds failed, 104 invalid config, 105
 * signal, 107 script error, 108 exec.test.abort, 110 exec.test.fail). Only the analyzer exits with
 * the verdict's code. k6 exits with its own (the verdict is computed in handleSummary, after k6 has
 * decided), and so does `npm start` (cli/start.ts passes k6's exit code on); the in-run verdict's
 * code is in the result JSON (`verdict.exitCode`).
 */
export const VERDICT_STATUSES = [
  'HEALTHY',
  'GENERATOR-BOUND',
  'HUB-DEGRADING',
  'HUB-SATURATED',
  'REJECTED',
  'INCONCLUSIVE',
  'INVALID',
] as const;

export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

export const VERDICT_EXIT_CODES: Readonly<Record<VerdictStatus, number>> = {
  HEALTHY: 0,
  'GENERATOR-BOUND': 10,
  'HUB-DEGRADING': 11,
  'HUB-SATURATED': 12,
  INCONCLUSIVE: 13,
  INVALID: 14,
  REJECTED: 15,
};

/** What each status means, in one line (reports and docs use these words). */
export const VERDICT_MEANINGS: Readonly<Record<VerdictStatus, string>> = {
  HEALTHY:
    'the generator offered the target load and the hub carried it: throughput on target, latency stable, SLOs met',
  'GENERATOR-BOUND':
    'the load generator could not offer the target load (too few VUs, or a CPU-starved runner): the run says nothing about the hub at that load',
  'HUB-DEGRADING':
    'throughput held, but latency drifts, saws or stalls: the hub will not hold this load for long',
  'HUB-SATURATED':
    'the generator offered the load and the hub did not complete it: throughput plateaued below the target, or the latency SLO failed at the target',
  REJECTED:
    "the hub refused the transfers (FSPIOP errors or HTTP refusals): the run measured rejections, not capacity; fix the request or the hub's configuration",
  INCONCLUSIVE: 'nothing to judge: no load was generated, or too little to tell',
  INVALID:
    'the figures cannot be trusted: counts do not reconcile, a runner is missing, or inputs were mixed',
};
