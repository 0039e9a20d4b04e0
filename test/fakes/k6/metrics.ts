/**
 * Fake `k6/metrics`: records every sample with its tags and the VU's metadata at that moment.
 * Like k6, it refuses declarations outside the init context and names k6 would reject, so a
 * scenario that declares metrics per iteration fails here too.
 */
import { type FakeSample, k6State } from './state.ts';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

class Metric {
  constructor(
    readonly name: string,
    private readonly type: FakeSample['type'],
    isTime = false,
  ) {
    const state = k6State();
    if (state.context !== 'init') throw new Error('metrics must be declared in the init context');
    if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    const prior = state.declaredMetrics.get(name);
    if (prior && prior.type !== type) throw new Error(`metric ${name} redeclared with another type`);
    state.declaredMetrics.set(name, { type, isTime });
  }

  add(value: number | boolean, tags?: Record<string, string>): void {
    const state = k6State();
    if (state.context === 'init')
      throw new Error('fake k6/metrics: adding samples in the init context is not supported');
    state.samples.push({
      metric: this.name,
      type: this.type,
      value: typeof value === 'boolean' ? (value ? 1 : 0) : value,
      tags: { ...state.tags, ...(tags ?? {}) },
      metadata: { ...state.metadata },
    });
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}

export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}

export class Gauge extends Metric {
  constructor(name: string, isTime?: boolean) {
    super(name, 'gauge', isTime);
  }
}

export class Trend extends Metric {
  constructor(name: string, isTime?: boolean) {
    super(name, 'trend', isTime);
  }
}

export default { Counter, Rate, Gauge, Trend };
