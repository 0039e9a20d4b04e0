/**
 * The checked-in manifests under k6-operator/manifests/<dir>/, as planner inputs. Edit here and run
 * `npm run plan -- regenerate`; a test proves the files on disk are exactly what these produce.
 *
 * Runner size: 2 CPUs and 4 GiB per runner, a common load-node share. Four runners for the
 * 1000 TPS profiles: not for raw capacity (one runner would do in collect mode) but so that one
 * lost runner costs a quarter of the load, not all of it, and the per-runner shares stay round.
 */
import type { PlanInput } from '../planner.ts';
import type { DeployOptions } from './testrun.ts';
import { RUNNER_IMAGE, STARTER_IMAGE } from './testrun.ts';

const GiB = 1024 ** 3;
const MINUTE = 60_000;

/** Defaults for everything about the cluster the plan does not decide. */
export const DEFAULT_DEPLOY: Omit<DeployOptions, 'name'> = {
  runnerImage: RUNNER_IMAGE,
  starterImage: STARTER_IMAGE,
  // The kit's simulator (or your payer-side relay) as a Service in the TestRun's namespace.
  hubUrl: 'http://mojaloop-k6-sim:4300',
  relayUrl: 'http://mojaloop-k6-sim:4300/relay',
  outboundUrl: 'http://mojaloop-k6-sim:4300/dfsp/payerfsp/outbound',
  // kube-prometheus-stack's Service; Prometheus needs --web.enable-remote-write-receiver.
  prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090/api/v1/write',
  nativeHistograms: true,
  resultsPvc: null,
  separate: false,
  cleanup: false,
  argsStyle: 'args',
};

export interface Preset {
  /** Directory under k6-operator/manifests/. */
  dir: string;
  plan: PlanInput;
  deploy: DeployOptions;
}

const RUNNER = { runnerCpuMillicores: 2000, runnerMemoryBytes: 4 * GiB };

export const PRESETS: readonly Preset[] = [
  {
    dir: 'smoke',
    // Two runners even for a smoke test: it proves the segment split and the per-runner relay partition.
    plan: { tps: 5, mode: 'collect', profile: 'smoke', durationMs: MINUTE, parallelism: 2, ...RUNNER },
    deploy: { ...DEFAULT_DEPLOY, name: 'mojaloop-smoke' },
  },
  {
    dir: 'load',
    plan: { tps: 1000, mode: 'collect', profile: 'load', durationMs: 10 * MINUTE, parallelism: 4, ...RUNNER },
    deploy: { ...DEFAULT_DEPLOY, name: 'mojaloop-load' },
  },
  {
    dir: 'soak',
    // An hour or more: results go to Prometheus, so the operator may clean up (pods and logs) at the end.
    plan: { tps: 1000, mode: 'collect', profile: 'soak', durationMs: 60 * MINUTE, parallelism: 4, ...RUNNER },
    deploy: { ...DEFAULT_DEPLOY, name: 'mojaloop-soak', cleanup: true },
  },
  {
    dir: 'ramp',
    plan: { tps: 1000, mode: 'collect', profile: 'ramp', durationMs: 20 * MINUTE, parallelism: 4, ...RUNNER },
    deploy: { ...DEFAULT_DEPLOY, name: 'mojaloop-ramp' },
  },
  {
    dir: 'breakpoint',
    plan: {
      tps: 1000,
      mode: 'collect',
      profile: 'breakpoint',
      durationMs: 20 * MINUTE,
      parallelism: 4,
      ...RUNNER,
    },
    deploy: { ...DEFAULT_DEPLOY, name: 'mojaloop-breakpoint' },
  },
];
