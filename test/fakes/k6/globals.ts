/**
 * The k6 init-context globals the kit uses: `__ENV`, `open()` (init context only, as in k6, with
 * its messages for directories and missing paths), `__VU`, `__ITER`. `installK6Globals(env)` sets them before a scenario module is imported.
 */
import { readFileSync, statSync } from 'node:fs';
import { k6State } from './state.ts';

declare global {
  var __ENV: Record<string, string>;
  var __VU: number;
  var __ITER: number;
}

export function installK6Globals(env: Record<string, string>): void {
  globalThis.__ENV = { ...env };
  globalThis.__VU = 0;
  globalThis.__ITER = 0;
  // `open` is declared by @types/k6 when the k6 types are in the program; assign it untyped.
  (globalThis as unknown as { open: (path: string) => string }).open = (path: string): string => {
    if (k6State().context !== 'init') throw new Error('open() can be used only in the init context');
    // k6's own messages for a directory and a missing path (docs/facts/k6.md#summary-files).
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new Error(`GoError: stat ${path}: no such file or directory`);
    }
    if (isDir) throw new Error(`GoError: open() can't be used with directories, path: "${path}"`);
    return readFileSync(path, 'utf8');
  };
}
