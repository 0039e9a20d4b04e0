/**
 * Simulator benchmark: drives the all-in-one simulator over real HTTP through the Node adapter
 * (node/http.ts) and reads every outcome back through the relay (collect mode), as k6 does.
 *
 * 1. Saturation: many concurrent POSTs (closed loop, a window of transfers without an outcome yet)
 *    for ~10 s -> the sustained end-to-end rate, POST to outcome.
 * 2. Paced at the kit's target (1000/s, open loop) -> the latency the simulator adds at that load:
 *    relay arrival minus the client's send instant carried in `tracestate`.
 * Both print the simulator's CPU per transfer (from its /health), a figure the machine's other load
 * barely moves.
 *
 * The simulator runs in its own process (`node --import tsx sim/main.ts`), as it does next to k6, so
 * client and simulator each get a core. `run()` is exported for bench/main.ts; `npx tsx bench/sim.ts`
 * runs it alone. Env: BENCH_SIM_SECONDS (10), BENCH_SIM_CONCURRENCY (64 POSTs in flight),
 * BENCH_SIM_WINDOW (2000 transfers without an outcome), BENCH_SIM_PACED_TPS (1000),
 * BENCH_SIM_PACED_SECONDS (5), BENCH_SIM_URL (use a running simulator instead of spawning one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ulid } from '../lib/protocol/ids.ts';
import { transferMaterialBuilder } from '../lib/protocol/material.ts';
import { interpretRelayCollect, relayCollectRequest } from '../lib/protocol/relay.ts';
import { nodeCrypto } from '../node/crypto.ts';
import { NodeHttpClient } from '../node/http.ts';

export interface SimBenchOptions {
  seconds?: number;
  warmupSeconds?: number;
  concurrency?: number;
  window?: number;
  pacedTps?: number;
  pacedSeconds?: number;
  /** Base URL of an already running all-in-one simulator. */
  url?: string;
}

export interface PhaseResult {
  seconds: number;
  transfersPerSecond: number;
  completed: number;
  committed: number;
  aborted: number;
  syncErrors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Simulator CPU (user + system) per completed transfer, microseconds. */
  simCpuUsPerTransfer: number;
}

export interface SimBenchResult {
  saturation: PhaseResult;
  paced: PhaseResult & { targetTps: number };
}

const RUNNER = 7;
const CT = 'application/vnd.interoperability.transfers+json;version=1.1';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function spawnSimulator(): Promise<{ url: string; child: ChildProcess }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', '0', '--no-warm-iso'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}: ${out}`));
    });
  });
  child.stdout!.resume();
  return { url, child };
}

/** Sends transfers and collects their outcomes; one instance per benchmark run. */
class Driver {
  private readonly client: NodeHttpClient;
  private readonly bodyHead: string;
  private readonly bodyTail: string;
  private dateSecond = -1;
  private dateText = '';
  private cursor = '';
  private collecting = true;
  private readonly collector: Promise<void>;
  /** Transfers sent whose outcome has not been collected. */
  inFlight = 0;
  private wakeSenders: Array<() => void> = [];
  /** Per-phase tallies, reset by `startMeasuring`. */
  measuring = false;
  completed = 0;
  committed = 0;
  aborted = 0;
  syncErrors = 0;
  latencies: number[] = [];

  constructor(
    readonly base: string,
    maxSockets: number,
  ) {
    this.client = new NodeHttpClient({ maxSockets });
    // The client must cost far less than the simulator, or it measures itself: one fixed ILP pair
    // (as the Mojaloop harness does; the payee still derives the fulfilment from the packet for each
    // transfer) and a body template in which only the transfer id changes.
    const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed' });
    const placeholder = '00000000000000000000000000';
    const parts = JSON.stringify(
      build({
        transferId: placeholder,
        payerFsp: 'payerfsp',
        payeeFsp: 'payeefsp',
        amount: '1',
        currency: 'XXX',
        expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }).body,
    ).split(placeholder);
    if (parts.length !== 2) throw new Error('bench: cannot build the body template');
    [this.bodyHead, this.bodyTail] = parts as [string, string];
    this.collector = this.collect();
  }

  private httpDate(now: number): string {
    const sec = Math.floor(now / 1000);
    if (sec !== this.dateSecond) {
      this.dateSecond = sec;
      this.dateText = new Date(sec * 1000).toUTCString();
    }
    return this.dateText;
  }

  startMeasuring(): void {
    this.measuring = true;
    this.completed = 0;
    this.committed = 0;
    this.aborted = 0;
    this.syncErrors = 0;
    this.latencies = [];
  }

  /** Posts one transfer; resolves when the 202 (or an error) came back. */
  async send(): Promise<void> {
    this.inFlight++;
    const now = Date.now();
    const b = nodeCrypto.randomBytes(16);
    let hex = '';
    for (let i = 0; i < 16; i++) hex += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
    const res = await this.client.request({
      method: 'POST',
      url: `${this.base}/transfers`,
      name: 'POST /transfers',
      headers: {
        'content-type': CT,
        accept: CT,
        date: this.httpDate(now),
        'fspiop-source': 'payerfsp',
        'fspiop-destination': 'payeefsp',
        traceparent: `00-${hex}-00f067aa0ba902b7-01`,
        tracestate: `tx_end2end_start_ts=${now}`,
      },
      body: this.bodyHead + ulid(now, RUNNER, nodeCrypto) + this.bodyTail,
    });
    if (res.status !== 202) {
      this.inFlight--;
      if (this.measuring) this.syncErrors++;
    }
  }

  /** Resolves when fewer than `window` transfers wait for an outcome. */
  roomFor(window: number): Promise<void> | undefined {
    if (this.inFlight < window) return undefined;
    return new Promise((r) => this.wakeSenders.push(r));
  }

  private async collect(): Promise<void> {
    while (this.collecting) {
      const res = await this.client.request(
        relayCollectRequest(`${this.base}/relay`, {
          runner: RUNNER,
          cursor: this.cursor,
          max: 10_000,
          waitMs: 100,
        }),
      );
      const r = interpretRelayCollect(res);
      if (!r.ok) {
        await new Promise((x) => setTimeout(x, 50));
        continue;
      }
      this.cursor = r.value.cursor;
      for (const o of r.value.outcomes) {
        this.inFlight--;
        if (!this.measuring) continue;
        this.completed++;
        if (o.state === 'COMMITTED') this.committed++;
        else this.aborted++;
        if (o.sentAtMs !== undefined) this.latencies.push(o.arrivedAtMs - o.sentAtMs);
      }
      if (r.value.outcomes.length > 0 && this.wakeSenders.length > 0) {
        const ws = this.wakeSenders;
        this.wakeSenders = [];
        for (const w of ws) w();
      }
    }
  }

  async simCpuMs(): Promise<number> {
    const h = await this.client.request({
      method: 'GET',
      url: `${this.base}/health`,
      name: 'GET /health',
      headers: {},
      wantBody: true,
    });
    const p = JSON.parse(h.body ?? '{}') as { process?: { cpuUserMs: number; cpuSystemMs: number } };
    return (p.process?.cpuUserMs ?? Number.NaN) + (p.process?.cpuSystemMs ?? Number.NaN);
  }

  result(elapsedS: number, cpuMs: number): PhaseResult {
    const lat = [...this.latencies].sort((a, b) => a - b);
    return {
      seconds: Math.round(elapsedS * 10) / 10,
      transfersPerSecond: Math.round(this.completed / elapsedS),
      completed: this.completed,
      committed: this.committed,
      aborted: this.aborted,
      syncErrors: this.syncErrors,
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
      maxMs: lat.length ? lat[lat.length - 1]! : Number.NaN,
      simCpuUsPerTransfer: this.completed > 0 ? Math.round((cpuMs * 1000) / this.completed) : Number.NaN,
    };
  }

  async close(): Promise<void> {
    this.collecting = false;
    for (const w of this.wakeSenders) w();
    await Promise.race([this.collector, new Promise((r) => setTimeout(r, 2000))]);
    this.client.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop: `concurrency` senders, at most `window` transfers without an outcome. */
async function saturation(
  d: Driver,
  seconds: number,
  warmupS: number,
  concurrency: number,
  window: number,
): Promise<PhaseResult> {
  let stop = false;
  const sender = async () => {
    while (!stop) {
      const wait = d.roomFor(window);
      if (wait) {
        await wait;
        continue;
      }
      await d.send();
    }
  };
  const senders = Array.from({ length: concurrency }, sender);
  await sleep(warmupS * 1000);
  const cpu0 = await d.simCpuMs();
  d.startMeasuring();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  d.measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await d.simCpuMs();
  stop = true;
  await Promise.race([Promise.all(senders), sleep(5000)]);
  return d.result(elapsed, cpu1 - cpu0);
}

/** Open loop at `tps`: sends on a 10 ms tick whatever the schedule says is due, without waiting. */
async function paced(d: Driver, tps: number, seconds: number): Promise<PhaseResult> {
  // Drain what the saturation phase left in flight first.
  for (let i = 0; i < 100 && d.inFlight > 0; i++) await sleep(50);
  const cpu0 = await d.simCpuMs();
  d.startMeasuring();
  const t0 = performance.now();
  let sent = 0;
  const pending = new Set<Promise<void>>();
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * tps);
    for (; sent < due; sent++) {
      const p = d.send().finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(10);
  }
  await Promise.all(pending);
  // Let the last outcomes arrive (bounded).
  for (let i = 0; i < 100 && d.inFlight > 0; i++) await sleep(20);
  d.measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await d.simCpuMs();
  return d.result(elapsed, cpu1 - cpu0);
}

export async function run(opts: SimBenchOptions = {}): Promise<SimBenchResult> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_SIM_SECONDS ?? 10);
  const warmup = opts.warmupSeconds ?? 2;
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_SIM_CONCURRENCY ?? 64);
  const window = opts.window ?? Number(process.env.BENCH_SIM_WINDOW ?? 2000);
  const pacedTps = opts.pacedTps ?? Number(process.env.BENCH_SIM_PACED_TPS ?? 1000);
  const pacedSeconds = opts.pacedSeconds ?? Number(process.env.BENCH_SIM_PACED_SECONDS ?? 5);
  const given = opts.url ?? process.env.BENCH_SIM_URL;
  const spawned = given ? undefined : await spawnSimulator();
  const d = new Driver(given ?? spawned!.url, concurrency + 4);
  try {
    const sat = await saturation(d, seconds, warmup, concurrency, window);
    console.log(
      `sim bench, saturation (all-in-one, ${concurrency} concurrent POSTs, window ${window}): ` +
        `${sat.transfersPerSecond} transfers/s end-to-end over ${sat.seconds} s ` +
        `(${sat.completed} outcomes: ${sat.committed} committed, ${sat.aborted} aborted, ${sat.syncErrors} sync errors); ` +
        `latency under saturation p50 ${sat.p50Ms} ms, p99 ${sat.p99Ms} ms; ` +
        `simulator CPU ${sat.simCpuUsPerTransfer} us/transfer (one core: ~${Math.round(1e6 / sat.simCpuUsPerTransfer)} transfers/s)`,
    );
    const pac = await paced(d, pacedTps, pacedSeconds);
    console.log(
      `sim bench, paced at ${pacedTps}/s for ${pacedSeconds} s: ${pac.completed} outcomes (${pac.committed} committed, ` +
        `${pac.aborted} aborted, ${pac.syncErrors} sync errors); latency the simulator adds ` +
        `p50 ${pac.p50Ms} ms, p99 ${pac.p99Ms} ms, max ${pac.maxMs} ms; simulator CPU ${pac.simCpuUsPerTransfer} us/transfer`,
    );
    return { saturation: sat, paced: { ...pac, targetTps: pacedTps } };
  } finally {
    await d.close();
    spawned?.child.kill('SIGTERM');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
