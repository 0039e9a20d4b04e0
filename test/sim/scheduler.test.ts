/**
 * The simulator's single timer heap: ordering, cancellation, deferral and failure isolation.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../sim/runtime/scheduler.ts';

describe('Scheduler', () => {
  it('runs entries in deadline order (ties in insertion order) and cancels in O(log n)', async () => {
    const s = new Scheduler();
    const order: number[] = [];
    const now = Date.now();
    const entries = [30, 10, 20, 10, 40, 0].map((d, i) => s.at(now + d, (x: number) => order.push(x), i));
    s.cancel(entries[4]);
    expect(s.size).toBe(5);
    await new Promise((r) => setTimeout(r, 80));
    expect(order).toEqual([5, 1, 3, 2, 0]);
    expect(s.size).toBe(0);
    expect(entries.every((e) => e!.index === -1)).toBe(true);
    s.close();
  });

  it('keeps the heap property under random inserts and cancels', () => {
    const s = new Scheduler();
    const live = new Set<ReturnType<Scheduler['at']>>();
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 5000; i++) {
      if (rnd() < 0.7 || live.size === 0)
        live.add(s.at(Date.now() + 100_000 + Math.floor(rnd() * 1e6), () => {}, undefined));
      else {
        const e = [...live][Math.floor(rnd() * live.size)];
        s.cancel(e);
        live.delete(e);
      }
    }
    expect(s.size).toBe(live.size);
    const heap = (s as unknown as { heap: Array<{ at: number; index: number }> }).heap;
    heap.forEach((e, i) => {
      expect(e.index).toBe(i);
      if (i > 0) expect(heap[(i - 1) >> 1]!.at).toBeLessThanOrEqual(e.at);
    });
    s.close();
  });

  it('defers zero-delay work behind one setImmediate, never re-entrantly, and survives a throwing task', async () => {
    const errors: unknown[] = [];
    const s = new Scheduler((e) => errors.push(e));
    const seen: string[] = [];
    s.after(
      0,
      () => {
        seen.push('a');
        s.defer(() => seen.push('c'), undefined);
      },
      undefined,
    );
    s.defer(() => {
      throw new Error('boom');
    }, undefined);
    s.defer(() => seen.push('b'), undefined);
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(s.taskErrors).toBe(1);
    expect(errors).toHaveLength(1);
    s.close();
  });

  it('close drops pending work', async () => {
    const s = new Scheduler();
    let ran = false;
    s.after(5, () => (ran = true), undefined);
    s.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(false);
    expect(s.after(1, () => {}, undefined)).toBeUndefined();
  });
});
