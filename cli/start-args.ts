/** Command-line arguments of `npm start` (cli/start.ts). */
import { PROFILE_NAMES, type ProfileName } from '../lib/config/profiles.ts';
import { parseFlags } from '../node/cli-args.ts';

export const SCENARIOS = ['transfers', 'e2e', 'outbound'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface StartArgs {
  profile: ProfileName;
  scenario: ScenarioName;
  mode: 'collect' | 'wait' | undefined;
  build: boolean;
  help: boolean;
  /** Arguments after `--`, handed to `k6 run` as they are. */
  passthrough: string[];
}

export function usage(): string {
  return [
    'usage: npm start [-- [--profile smoke|load|ramp|soak|breakpoint] [--scenario transfers|e2e|outbound]',
    '                     [--mode collect|wait] [--no-build] [-- <k6 run arguments>]]',
    '',
    'Builds the bundles, starts the embedded simulator, runs k6 against it and stops the simulator.',
    'Anything after a second `--` goes to `k6 run` (e.g. `-e TARGET_TPS=20 -e DURATION=1m`).',
    "Never pass --vus/--duration/--iterations: they replace the kit's scenarios.",
  ].join('\n');
}

const FLAGS = {
  profile: { type: 'string' },
  scenario: { type: 'string' },
  mode: { type: 'string' },
  'no-build': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseStartArgs(
  argv: readonly string[],
): { ok: true; args: StartArgs } | { ok: false; error: string } {
  let parsed: ReturnType<typeof parseFlags<typeof FLAGS>>;
  try {
    parsed = parseFlags(argv, FLAGS);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const v = parsed.values;
  const args: StartArgs = {
    profile: 'smoke',
    scenario: 'transfers',
    mode: undefined,
    build: !v['no-build'],
    help: v.help === true,
    passthrough: parsed.rest,
  };
  if (v.profile !== undefined) {
    if (!(PROFILE_NAMES as readonly string[]).includes(v.profile)) {
      return {
        ok: false,
        error: `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(v.profile)}`,
      };
    }
    args.profile = v.profile as ProfileName;
  }
  if (v.scenario !== undefined) {
    if (!(SCENARIOS as readonly string[]).includes(v.scenario)) {
      return {
        ok: false,
        error: `--scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(v.scenario)}`,
      };
    }
    args.scenario = v.scenario as ScenarioName;
  }
  if (v.mode !== undefined) {
    if (v.mode !== 'collect' && v.mode !== 'wait')
      return { ok: false, error: `--mode: expected collect or wait, got ${JSON.stringify(v.mode)}` };
    args.mode = v.mode;
  }
  const forbidden = args.passthrough.find((p) =>
    /^(--vus|-u|--duration|-d|--iterations|-i|--stages|-s)(=|$)/.test(p),
  );
  if (forbidden) {
    return {
      ok: false,
      error: `${forbidden} would replace the kit's scenarios (k6 ≥ 2.1); set PROFILE/TARGET_TPS/DURATION with -e instead`,
    };
  }
  if (args.mode && args.scenario !== 'transfers') {
    return {
      ok: false,
      error: `--mode applies to the transfers scenario only (${args.scenario} always waits)`,
    };
  }
  return { ok: true, args };
}
