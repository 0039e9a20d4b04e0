/** Fake `k6`: check, sleep (really sleeps, capped at 2 s per call, and sums what was asked), group, fail. */
import { k6State } from './state.ts';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sleep(seconds: number): void {
  k6State().slept += seconds;
  Atomics.wait(sleeper, 0, 0, Math.min(2000, Math.max(0, seconds * 1000)));
}

export function check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = !!fn(value);
    k6State().checks.push({ name, ok });
    all &&= ok;
  }
  return all;
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

export function fail(message?: string): never {
  throw new Error(message ?? 'fail');
}

export default { sleep, check, group, fail };
