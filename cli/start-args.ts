/** Command-line arguments of `npm start` (cli/start.ts), parsed without dependencies. */
import { PROFILE_NAMES, type ProfileName } from '../lib/config/profiles.ts';

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

export function parseStartArgs(
  argv: readonly string[],
): { ok: true; args: StartArgs } | { ok: false; error: string } {
  const args: StartArgs = {
    profile: 'smoke',
    scenario: 'transfers',
    mode: undefined,
    build: true,
    help: false,
    passthrough: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      i++;
      return argv[i];
    };
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    switch (name) {
      case '--':
        args.passthrough = argv.slice(i + 1) as string[];
        i = argv.length;
        break;
      case '--profile': {
        const v = value();
        if (!v || !(PROFILE_NAMES as readonly string[]).includes(v)) {
          return {
            ok: false,
            error: `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(v)}`,
          };
        }
        args.profile = v as ProfileName;
        break;
      }
      case '--scenario': {
        const v = value();
        if (!v || !(SCENARIOS as readonly string[]).includes(v)) {
          return {
            ok: false,
            error: `--scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(v)}`,
          };
        }
        args.scenario = v as ScenarioName;
        break;
      }
      case '--mode': {
        const v = value();
        if (v !== 'collect' && v !== 'wait')
          return { ok: false, error: `--mode: expected collect or wait, got ${JSON.stringify(v)}` };
        args.mode = v;
        break;
      }
      case '--no-build':
        args.build = false;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        return { ok: false, error: `unknown argument ${JSON.stringify(a)}` };
    }
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
