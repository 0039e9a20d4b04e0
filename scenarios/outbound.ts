/**
 * k6 entry point: The DFSP synchronous outbound API (sdk-scheme-adapter shape, the Mojaloop performance
 * whitepaper flow): GET /parties, POST /quotes, POST /simpleTransfers (OUTBOUND_FLOW=simple) or the
 * one-call POST /transfers (OUTBOUND_FLOW=transfers). HTTP 200 with errorInformation is a failure.
 *
 * Thin on purpose: everything is data (lib/config, lib/thresholds) and shared code
 * (lib/flows, lib/k6). Configure with -e variables (docs/scenarios.md); never with --vus/--duration.
 */
import { outboundFlow } from '../lib/flows/outbound.ts';
import { defineScenario, type SetupData } from '../lib/k6/scenario.ts';

const scenario = defineScenario('outbound', { iteration: outboundFlow });

export const options = scenario.options;
export const setup = scenario.setup;
export const teardown = scenario.teardown;
export const handleSummary = scenario.handleSummary;

export function outbound(data: SetupData): void | Promise<void> {
  return scenario.run(data);
}
