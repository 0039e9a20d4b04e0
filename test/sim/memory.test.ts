/**
 * The simulator's memory stays bounded under hostile load: each case runs test/sim/heap-probe.ts in
 * a child process (`node --expose-gc`), which measures the live heap after a forced GC before and
 * after the load. The bounds are generous (a few MB of noise), the leaks they catch are not:
 *
 * - collect long-polls that expire or whose client goes away must leave the runner's waiter list
 *   (before: 4000 expiring + 1000 aborted polls kept ~26 MB alive, ~5-7 KB each);
 * - party/quote callbacks nobody waits for are held to the relay's phase byte budget (before:
 *   200 x 250 KB bodies kept 50 MB against an 8 MiB budget nobody enforced);
 * - relay outcomes keep at most 128 characters of an error description (before: 300 forged
 *   callbacks with 200 KB descriptions kept 60 MB).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MB = 1024 * 1024;

interface Probe {
  growthBytes: number;
  health: { errors: { handlers: number; tasks: number }; bounds: Record<string, Record<string, number>> };
}

function probe(scenario: string, count: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/sim/heap-probe.ts', scenario, String(count)],
      { cwd: ROOT, timeout: 60_000, maxBuffer: 4 * MB },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`heap-probe ${scenario}: ${err.message}\n${stderr}`));
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as Probe);
        } catch {
          reject(new Error(`heap-probe ${scenario} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('memory under hostile load (forced GC, heap before/after)', () => {
  it.concurrent('expired and aborted collect long-polls leave nothing behind', async () => {
    const p = await probe('collect-waiters', 4000);
    expect(p.health.errors).toEqual({ handlers: 0, tasks: 0 });
    expect(p.health.bounds.relayWaiters).toMatchObject({ parked: 0, max: 20_000 });
    expect(p.growthBytes, `heap grew ${(p.growthBytes / MB).toFixed(1)} MB`).toBeLessThan(4 * MB);
  });

  it.concurrent('party/quote callbacks are held to the phase byte budget', async () => {
    const p = await probe('phase-bodies', 200);
    expect(p.health.errors).toEqual({ handlers: 0, tasks: 0 });
    const phases = p.health.bounds.relayPhases!;
    expect(phases.maxBytes).toBe(8 * MB);
    expect(phases.bytes).toBeLessThanOrEqual(8 * MB);
    expect(phases.retained).toBeLessThan(40);
    expect(p.growthBytes, `heap grew ${(p.growthBytes / MB).toFixed(1)} MB`).toBeLessThan(16 * MB);
  });

  it.concurrent('relay outcomes keep a bounded error description', async () => {
    const p = await probe('relay-outcomes', 300);
    expect(p.health.errors).toEqual({ handlers: 0, tasks: 0 });
    const outcomes = p.health.bounds.relayOutcomes!;
    expect(outcomes.retained).toBe(500);
    expect(outcomes.bytes).toBeLessThan(500 * 1024);
    expect(p.growthBytes, `heap grew ${(p.growthBytes / MB).toFixed(1)} MB`).toBeLessThan(6 * MB);
  });
});
