/** Test support: the simulator in process, its admin API, and a summary built from recorded samples. */
import { MemorySink } from '../../lib/flows/record.ts';
import { kitMetricsBy } from '../../lib/metrics/registry.ts';

class MemorySinkView extends MemorySink {
  constructor(samples: MemorySink['samples']) {
    super();
    this.samples.push(...samples);
  }
}

import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../sim/simulator.ts';

export async function startTestSim(options: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  return startSimulator({ host: '127.0.0.1', port: 0, log: () => {}, ...options });
}

export async function admin<T = unknown>(
  base: string,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface LedgerReport {
  transfers: {
    received: number;
    final: { COMMITTED: number; ABORTED: number };
    inFlight: number;
    abortedByCode: Record<string, number>;
    syncRejected: Record<string, number>;
  };
  callbacks: { lost: number; duplicated: number };
  relay: { totals: { received: number; duplicates: number; evictedUnread: number } } | null;
}

export async function ledgerOf(base: string): Promise<LedgerReport> {
  return (await admin<LedgerReport>(base, 'GET', '/ledger')).body;
}

export async function ledgerTransfer(
  base: string,
  id: string,
): Promise<{ state?: string; errorCode?: string } | undefined> {
  const r = await admin<{ state?: string; errorCode?: string; errorInformation?: unknown }>(
    base,
    'GET',
    `/ledger/transfers/${id}`,
  );
  return r.status === 200 ? r.body : undefined;
}

/**
 * The legacy handleSummary data k6 would build from these samples (counters, rates, sub-metrics by
 * error code and stage), so tests run the real accounting code over what the flows recorded.
 */
export function summaryDataOf(
  sink: Pick<MemorySink, 'samples'> & Partial<Pick<MemorySink, 'reasons'>>,
): unknown {
  const mem = new MemorySinkView(sink.samples);
  const metrics: Record<string, unknown> = {};
  for (const { name, type } of kitMetricsBy('flows')) {
    if (type === 'counter')
      metrics[name] = { type, contains: 'default', values: { count: mem.sum(name), rate: 0 } };
  }
  const codes = new Set<string>();
  const stages = new Set<string>();
  for (const s of mem.samples) {
    if (s.metric !== 'ml_transfers_rejected') continue;
    if (s.tags.error_code) codes.add(s.tags.error_code);
    if (s.tags.stage) stages.add(s.tags.stage);
  }
  for (const c of codes) {
    metrics[`ml_transfers_rejected{error_code:${c}}`] = {
      type: 'counter',
      contains: 'default',
      values: { count: mem.sum('ml_transfers_rejected', { error_code: c }) },
    };
  }
  for (const st of stages) {
    metrics[`ml_transfers_rejected{stage:${st}}`] = {
      type: 'counter',
      contains: 'default',
      values: { count: mem.sum('ml_transfers_rejected', { stage: st }) },
    };
  }
  // Rejection reasons are failing checks, as k6 lists them.
  const checks = [...(sink.reasons ?? [])].map(([name, fails]) => ({ name, passes: 0, fails }));
  return { metrics, state: { testRunDurationMs: 1000 }, root_group: { checks } };
}
