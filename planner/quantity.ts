/**
 * Kubernetes resource quantities for CPU and memory: parsing what a user types (`2`, `1.5`, `500m`;
 * `4Gi`, `512Mi`, `1G`) and printing what the manifests carry. Pure.
 */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Millicores of a CPU quantity (`2` → 2000, `1.5` → 1500, `500m` → 500). */
export function parseCpu(text: string, field: string): number {
  const m = CPU.exec(text.trim());
  const fail = (): never => {
    throw new Error(`${field}: expected a CPU quantity such as 2, 1.5 or 500m, got ${JSON.stringify(text)}`);
  };
  if (!m) return fail();
  const value = Number(m[1]);
  const milli = m[2] === 'm' ? value : value * 1000;
  if (!Number.isInteger(milli) || milli <= 0 || milli > 1e9) return fail();
  return milli;
}

/** Bytes of a memory quantity (`4Gi`, `512Mi`, `1G`, `1000000`). */
export function parseMemory(text: string, field: string): number {
  const m = MEMORY.exec(text.trim());
  const fail = (): never => {
    throw new Error(
      `${field}: expected a memory quantity such as 4Gi, 512Mi or 1G, got ${JSON.stringify(text)}`,
    );
  };
  if (!m) return fail();
  const bytes = Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!;
  if (!Number.isFinite(bytes) || bytes < 1 || bytes > 2 ** 50) return fail();
  return Math.ceil(bytes);
}

/** `2` for whole cores, else `1500m`. */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** `4Gi` / `512Mi` when exact, else bytes. */
export function formatMemory(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}Gi`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}Mi`;
  return String(bytes);
}

/** MiB with one decimal (two below 1 MiB, so small per-unit figures stay exact), for the planner's arithmetic. */
export function mib(bytes: number): string {
  const m = bytes / 1024 ** 2;
  return `${m.toFixed(m < 1 ? 2 : 1)} MiB`;
}
