/**
 * k6 entry point: The full FSPIOP flow against the hub: GET /parties, POST /quotes, POST /transfers, each phase
 * waited for through the callback relay and timed.
 *
 * Thin on purpose: everything is data (lib/config, lib/thresholds) and shared code
 * (lib/flows, lib/k6). Configure with -e variables (docs/scenarios.md); never with --vus/--duration.
 */
import { e2eFlow } from '../lib/flows/e2e.ts';
import { defineScenario, type SetupData } from '../lib/k6/scenario.ts';

const scenario = defineScenario('e2e', { iteration: e2eFlow });

export const options = scenario.options;
export const setup = scenario.setup;
export const teardown = scenario.teardown;
export const handleSummary = scenario.handleSummary;

export function e2e(data: SetupData): void | Promise<void> {
  return scenario.run(data);
}
