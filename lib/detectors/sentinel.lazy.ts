/**
 * The detectors a sentinel VU runs (lib/detectors/vu-probe.ts). A lazy unit (build/lazy-units.ts):
 * in a k6 bundle this code is evaluated by the few sentinel VUs only, so the other load VUs never
 * create the detectors' functions. The detectors are used through their methods only (no
 * `instanceof`), as the lazy unit's copy of their classes is not the eager bundle's.
 */
import { GeneratorDetector, type GeneratorDetectorOptions } from './generator.ts';
import { HubDetector, type HubDetectorOptions } from './hub.ts';

export function createGeneratorDetector(opts: GeneratorDetectorOptions): GeneratorDetector {
  return new GeneratorDetector(opts);
}

export function createHubDetector(opts: HubDetectorOptions): HubDetector {
  return new HubDetector(opts);
}
