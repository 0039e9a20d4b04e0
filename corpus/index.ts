/**
 * The labeled synthetic corpus of the detectors (Node side; no k6). Deterministic: the same seed
 * gives the same traces everywhere.
 *
 * - `latencyTrace(spec)`: a transfer latency stream (send time ms, latency ms, VU index) with a
 *   labeled shape: flat (normal, lognormal or Pareto noise), level step, linear drift, sawtooth,
 *   GC-like pauses; `spec.view` keeps one VU's ~1/N share.
 * - `generatorTrace(spec)`: one runner's arrival-rate scheduling (start, iteration counter, active
 *   VUs, end, client overhead, network time, VU, and the dropped starts): healthy, slow hub, VU cap,
 *   CPU-starved.
 * - `hubCases` / `generatorCases`: the seeded families of specs per class the accuracy tests and
 *   the benchmark score; `evaluate*` / `score*` run the detectors over them.
 *
 * To render a trace as k6 output (the analyzer does): each latency sample is an `ml_transfer_e2e`
 * point at `TRACE_EPOCH_MS + t` with metadata vu = `vu + 1`; each generator iteration is an
 * `iterations` point at its start, each dropped start a `dropped_iterations` point.
 */
export {
  GENERATOR_CLASSES,
  type GeneratorCase,
  type GeneratorClass,
  generatorCases,
  HUB_CLASSES,
  type HubCase,
  type HubClass,
  hubCases,
  type View,
} from './catalog.ts';
export {
  type ClassScore,
  evaluateGeneratorCase,
  evaluateHubCase,
  type GeneratorOutcome,
  generatorCorrect,
  type HubOutcome,
  hubCorrect,
  scoreGenerator,
  scoreHub,
} from './evaluate.ts';
export {
  type GeneratorTrace,
  type GeneratorTraceSpec,
  generatorTrace,
  iterationsOfVu,
  scheduleOf,
  TRACE_EPOCH_MS,
} from './generator.ts';
export {
  bucketMedianNoise,
  type LatencyShape,
  type LatencyTrace,
  type LatencyTraceSpec,
  latencyTrace,
  type NoiseModel,
  shapeAt,
} from './latency.ts';
export { childSeed, Prng } from './prng.ts';
