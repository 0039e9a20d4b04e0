/**
 * Configuration errors name the field (an env variable such as `TARGET_TPS`, or a path inside the
 * JSON config file such as `CONFIG pairs[1].weight`) and the form that was expected, so a bad run
 * fails in the k6 init context with a message the operator can act on, before any load is sent.
 */
export interface ConfigProblem {
  /** `TARGET_TPS`, `CONFIG dfsps[0].id`, ... */
  field: string;
  /** What was expected and what was found. */
  message: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      problems.length === 1
        ? `invalid configuration: ${problems[0]!.field}: ${problems[0]!.message}`
        : `invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Collects problems while parsing so that one run reports all of them at once. */
export class Problems {
  readonly list: ConfigProblem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  /** Throws a ConfigError when any problem was recorded. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigError(this.list);
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
