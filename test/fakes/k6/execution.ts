/**
 * Fake `k6/execution`. Like k6, reading `test.options`, `vu` or `scenario` in the init context
 * throws, so code that derives the runner index at init time fails in Node tests as it would in k6.
 */
import { k6State } from './state.ts';

function notInInit(what: string): void {
  if (k6State().context === 'init') throw new Error(`getting ${what} in the init context is not supported`);
}

const exec = {
  get test() {
    return {
      get options() {
        notInInit('test options');
        return { ...k6State().options, tags: {} };
      },
      abort(message?: string): never {
        k6State().aborted = message ?? '';
        throw new Error(`test aborted: ${message ?? ''}`);
      },
      fail(message?: string): void {
        k6State().failed = message ?? '';
      },
    };
  },
  get vu() {
    notInInit('VU information');
    const s = k6State();
    return {
      ...s.vu,
      metrics: { tags: s.tags, metadata: s.metadata },
    };
  },
  get scenario() {
    const s = k6State();
    if (s.context !== 'vu')
      throw new Error('getting scenario information outside of the VU context is not supported');
    return { ...s.scenario };
  },
  get instance() {
    notInInit('instance information');
    return {
      iterationsCompleted: 0,
      iterationsInterrupted: 0,
      vusActive: 1,
      vusInitialized: 1,
      currentTestRunDuration: 0,
    };
  },
};

export default exec;
