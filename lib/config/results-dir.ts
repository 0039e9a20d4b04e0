/**
 * RESULTS_DIR: where handleSummary writes the result files (JSON result, text summary, JUnit).
 * k6 writes them after the run and cannot create directories: a missing directory loses the files
 * with one log line at the very end (docs/facts/k6.md#summary-files). So the directory is checked
 * in the init context, before any load:
 *
 * - `none` writes no files (stdout only);
 * - an absolute path is checked as it is;
 * - a relative path is relative to k6's working directory, while k6's `open()` resolves relative
 *   paths against the script: it is checked as `$PWD/<dir>` when the environment has an absolute
 *   PWD (a shell's `k6 run` does), and otherwise (k6 archive, k6 cloud, a container started
 *   without a shell) cannot be checked, so no files are written and the summary says why.
 *
 * Pure: the check goes through a `DirProbe`; in k6 it is `openProbe(open)` (lib/k6/scenario.ts),
 * and the Node side (planner, tests) passes none.
 */

/** What a path is, as far as the host can tell. */
export type DirProbe = (absolutePath: string) => 'directory' | 'missing' | 'file' | { error: string };

export interface ResultsDir {
  /** The directory to write to, as handleSummary names files; undefined: no files. */
  dir: string | undefined;
  /** Why there are no files, for the summary (undefined when `dir` is set). */
  note: string | undefined;
}

export const RESULTS_NONE = 'none';

const isAbsolute = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);

/**
 * The results directory of `raw` (RESULTS_DIR, already defaulted), checked with `probe` when there
 * is one (k6's init context); `pwd` is the environment's PWD. An error names the directory, what
 * was checked, and what to do.
 */
export function resolveResultsDir(
  raw: string,
  pwd: string | undefined,
  probe: DirProbe | undefined,
): { ok: true; value: ResultsDir } | { ok: false; error: string } {
  const text = raw.trim();
  if (text === RESULTS_NONE) {
    return { ok: true, value: { dir: undefined, note: 'RESULTS_DIR=none: no result files written' } };
  }
  const dir = text.replace(/\/+$/, '') || (text.startsWith('/') ? '/' : '.');
  if (!probe) return { ok: true, value: { dir, note: undefined } };
  let checked: string;
  if (isAbsolute(dir)) checked = dir;
  else if (pwd !== undefined && isAbsolute(pwd)) checked = `${pwd.replace(/\/+$/, '')}/${dir}`;
  else {
    return {
      ok: true,
      value: {
        dir: undefined,
        note:
          `no result files: RESULTS_DIR "${dir}" is relative and k6's working directory is unknown here ` +
          '(no PWD in the environment); set an absolute RESULTS_DIR',
      },
    };
  }
  const what = probe(checked);
  if (what === 'directory') return { ok: true, value: { dir, note: undefined } };
  const where = checked === dir ? `"${dir}"` : `"${dir}" (${checked})`;
  const fix = `create it first (mkdir -p ${dir}), or set RESULTS_DIR to an existing directory, or RESULTS_DIR=none for stdout only`;
  if (what === 'missing') {
    return { ok: false, error: `the directory ${where} does not exist and k6 cannot create it: ${fix}` };
  }
  if (what === 'file') return { ok: false, error: `${where} is a file, expected a directory: ${fix}` };
  return { ok: false, error: `cannot check the directory ${where}: ${what.error}` };
}

/**
 * A DirProbe made of k6's init-context `open()`, which refuses directories with a message of its
 * own (docs/facts/k6.md#summary-files): the message tells a directory from a missing path.
 */
export function openProbe(open: (path: string) => unknown): DirProbe {
  return (path) => {
    try {
      open(path);
      return 'file';
    } catch (e) {
      const m = String((e as Error)?.message ?? e);
      if (/can't be used with directories/i.test(m)) return 'directory';
      if (/no such file or directory|cannot find the (file|path)/i.test(m)) return 'missing';
      return { error: m.slice(0, 200) };
    }
  };
}
