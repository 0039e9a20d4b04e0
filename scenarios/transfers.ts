/**
 * k6 entry point: Direct FSPIOP POST /transfers to the hub at TARGET_TPS. MODE=collect (default): VUs only send; one
 * collector VU per runner reads outcomes from the callback relay in batches. MODE=wait: each VU waits
 * for its own outcome. API=iso20022 switches the bodies to ISO 20022.
 *
 * Thin on purpose: everything is data (lib/config, lib/thresholds) and shared code
 * (lib/flows, lib/k6). Configure with -e variables (docs/scenarios.md); never with --vus/--duration.
 */
import { collectMode } from '../lib/flows/collect.ts';
import { sendAndWait, sendTransfer } from '../lib/flows/transfer.ts';
import { defineScenario, type SetupData } from '../lib/k6/scenario.ts';

// MODE=collect sends only (the collector reads the outcomes); MODE=wait waits in the VU.
const scenario = defineScenario('transfers', {
  iteration: (plan, ctx) =>
    plan.config.mode === 'collect' ? sendTransfer(plan, ctx) : sendAndWait(plan, ctx),
  collect: collectMode,
});

export const options = scenario.options;
export const setup = scenario.setup;
export const teardown = scenario.teardown;
export const handleSummary = scenario.handleSummary;

export function transfers(data: SetupData): void | Promise<void> {
  return scenario.run(data);
}

export function collector(data: SetupData): void {
  scenario.collector(data);
}
