export { verdictJson, verdictJUnitTestcase, verdictLines } from './format.ts';
export { verdictHook } from './hook.ts';
export { readSignals, type Signals } from './signals.ts';
export {
  computeVerdict,
  VERDICT_EXIT_CODES,
  type Verdict,
  type VerdictContext,
  type VerdictStatus,
  verdictFromView,
} from './verdict.ts';
