/**
 * Shared state of the fake k6 modules (test/fakes/k6/*), the alias-shim pattern of
 * grafana/k6-jslib-testing: vitest maps `k6`, `k6/http`, `k6/execution`, `k6/metrics`,
 * `k6/crypto` and `k6/encoding` to these files, so the real scenario code runs in Node and the
 * tests read what it did here.
 *
 * The state lives on globalThis so that every module instance (vi.resetModules re-imports the
 * scenarios, not necessarily the fakes) sees the same object.
 */
export type K6Context = 'init' | 'vu' | 'setup' | 'teardown' | 'summary';

export interface FakeSample {
  metric: string;
  type: 'counter' | 'rate' | 'trend' | 'gauge';
  value: number;
  tags: Record<string, string>;
  metadata: Record<string, string | number | boolean>;
}

export interface FakeRequestRecord {
  method: string;
  url: string;
  body: string | null;
  headers: Record<string, string>;
  tags: Record<string, string>;
  timeout: string | number | undefined;
  responseType: string | undefined;
  status: number;
}

export interface FakeScenarioState {
  name: string;
  executor: string;
  startTime: number;
  progress: number;
  iterationInInstance: number;
  iterationInTest: number;
}

export interface FakeK6State {
  context: K6Context;
  declaredMetrics: Map<string, { type: FakeSample['type']; isTime: boolean }>;
  samples: FakeSample[];
  requests: FakeRequestRecord[];
  checks: Array<{ name: string; ok: boolean }>;
  options: { executionSegment: string | null; executionSegmentSequence: string | null };
  vu: { idInInstance: number; idInTest: number; iterationInInstance: number; iterationInScenario: number };
  tags: Record<string, string>;
  metadata: Record<string, string | number | boolean>;
  scenario: FakeScenarioState;
  aborted: string | undefined;
  failed: string | undefined;
  /** Total time `sleep()` was asked to wait, s (the fake sleeps for real, capped). */
  slept: number;
}

declare global {
  var __fakeK6: FakeK6State | undefined;
}

function fresh(): FakeK6State {
  return {
    context: 'init',
    declaredMetrics: new Map(),
    samples: [],
    requests: [],
    checks: [],
    options: { executionSegment: null, executionSegmentSequence: null },
    vu: { idInInstance: 1, idInTest: 1, iterationInInstance: 0, iterationInScenario: 0 },
    tags: {},
    metadata: {},
    scenario: {
      name: 'default',
      executor: 'constant-arrival-rate',
      startTime: Date.now(),
      progress: 0,
      iterationInInstance: 0,
      iterationInTest: 0,
    },
    aborted: undefined,
    failed: undefined,
    slept: 0,
  };
}

/** The fake k6 state (created on first use). */
export function k6State(): FakeK6State {
  globalThis.__fakeK6 ??= fresh();
  return globalThis.__fakeK6;
}

/** Starts over: no metrics declared, no samples, init context. Call before importing a scenario. */
export function resetK6State(): FakeK6State {
  globalThis.__fakeK6 = fresh();
  return globalThis.__fakeK6;
}

/** Sum of a Counter's samples whose tags include `tags`. */
export function counterSum(metric: string, tags: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of k6State().samples) {
    if (s.metric !== metric) continue;
    if (Object.entries(tags).every(([k, v]) => s.tags[k] === v)) sum += s.value;
  }
  return sum;
}

/** Samples of one metric. */
export function samplesOf(metric: string): FakeSample[] {
  return k6State().samples.filter((s) => s.metric === metric);
}
