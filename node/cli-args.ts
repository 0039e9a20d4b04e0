/**
 * Command-line flags, one way for every entry point (`npm start`, `npm run sim`, `plan`, `analyze`):
 * node:util `parseArgs` in strict mode, with the same messages everywhere for an unknown flag, a
 * missing value, a value that looks like a flag, and a flag given twice (the second would silently
 * win). Values stay strings; each command validates its own and names the flag.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagOption {
  type: 'string' | 'boolean';
  short?: string;
}

export type FlagSpec = Readonly<Record<string, FlagOption>>;

export type FlagValues<S extends FlagSpec> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ParsedFlags<S extends FlagSpec> {
  values: FlagValues<S>;
  /** Arguments that are not flags, before any `--`. */
  positionals: string[];
  /** Everything after the first `--`, as given (for commands that pass arguments through). */
  rest: string[];
}

/** Parses `argv` (without node and the script) against `spec`; throws UsageError naming the flag. */
export function parseFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  opts: { positionals?: boolean } = {},
): ParsedFlags<S> {
  const dash = argv.indexOf('--');
  const args = dash < 0 ? [...argv] : argv.slice(0, dash);
  const rest = dash < 0 ? [] : argv.slice(dash + 1);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: spec as Record<string, FlagOption>,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError(usageMessage((e as Error).message));
  }
  const seen = new Map<string, string | undefined>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) {
      const before = seen.get(t.name);
      const shown = (v: string | undefined) => (v === undefined ? 'set' : JSON.stringify(v));
      throw new UsageError(
        `--${t.name} is given twice (${shown(before)}, then ${shown(t.value)}); give it once`,
      );
    }
    seen.set(t.name, t.value);
  }
  if (!opts.positionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])} (see --help)`);
  }
  return { values: parsed.values as FlagValues<S>, positionals: parsed.positionals, rest };
}

/** node:util's messages, reworded the same way for every command. */
function usageMessage(msg: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) return `unknown flag ${unknown[1]} (see --help)`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(msg);
  if (missing) return `${missing[1]!.replace(/^-\w, /, '')} needs a value`;
  const ambiguous = /Option '([^']+?)' argument is ambiguous/.exec(msg);
  if (ambiguous) {
    const flag = ambiguous[1]!.replace(/^-\w, /, '');
    return `${flag}: expected a value, got a flag-like word (write ${flag}=VALUE for a value starting with "-")`;
  }
  const noValue = /Option '([^']+?)' does not take an argument/.exec(msg);
  if (noValue) return `${noValue[1]!.replace(/^-\w, /, '')} takes no value`;
  return msg;
}
