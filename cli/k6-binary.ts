/**
 * Finding the k6 binary: `K6` names it, else `k6` on PATH. The project never bundles, downloads or
 * builds k6 (it is AGPL-licensed); when none is found the message says how to install it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export const K6_INSTALL_URL = 'https://grafana.com/docs/k6/latest/set-up/install-k6/';

export interface K6Binary {
  path: string;
  /** `k6 version` output, first line. */
  version: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The k6 binary to use, or an explanation of why there is none. */
export function findK6(
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; k6: K6Binary } | { ok: false; message: string } {
  let candidate: string | undefined;
  if (env.K6 && env.K6.trim() !== '') {
    candidate = env.K6.trim();
    if (!executable(candidate)) {
      return { ok: false, message: `K6=${candidate} is not an executable file.\n${installHint()}` };
    }
  } else {
    for (const dir of (env.PATH ?? '').split(path.delimiter)) {
      if (dir && executable(path.join(dir, 'k6'))) {
        candidate = path.join(dir, 'k6');
        break;
      }
    }
    if (!candidate)
      return { ok: false, message: `k6 was not found on PATH and K6 is not set.\n${installHint()}` };
  }
  const v = spawnSync(candidate, ['version'], { encoding: 'utf8', timeout: 15_000 });
  if (v.status !== 0) {
    return {
      ok: false,
      message: `${candidate} did not answer \`k6 version\` (${v.error?.message ?? `exit ${v.status}`}).\n${installHint()}`,
    };
  }
  return { ok: true, k6: { path: candidate, version: v.stdout.split('\n')[0]!.trim() } };
}

export function installHint(): string {
  return (
    `Install k6 (>= 1.0; 2.x is current) from ${K6_INSTALL_URL}\n` +
    'and put it on PATH, or name it with K6=/path/to/k6. This project never bundles, downloads or\n' +
    'builds k6: k6 is AGPL-licensed, so it stays a separate tool you install yourself.'
  );
}
