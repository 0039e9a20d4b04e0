/**
 * Every TestRun the kit produces — the checked-in manifests and what the planner writes for any
 * combination of its options — validates against the k6-operator CRD, with unknown fields refused.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { fromFlags } from '../../cli/plan.ts';
import {
  compileTestRunValidator,
  crdAvailable,
  crdPath,
  toStrictSchema,
} from '../../planner/manifests/crd-schema.ts';
import { MANIFESTS_DIR, renderPreset } from '../../planner/manifests/generate.ts';
import { PRESETS } from '../../planner/manifests/presets.ts';
import { buildTestRun } from '../../planner/manifests/testrun.ts';
import { makePlan } from '../../planner/planner.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML/JSON documents are walked freely in assertions
type Doc = any;

const available = crdAvailable();
const REFERENCE_SHA256 = 'd4df597bb94d210bcb9368dd4faf81da25c08194e240da98e4df8887563be185';

describe('toStrictSchema', () => {
  it('closes objects with properties, leaves maps and preserve-unknown-fields open, keeps int-or-string', () => {
    const strict = toStrictSchema({
      type: 'object',
      properties: {
        a: { type: 'object', properties: { b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: {
          type: 'object',
          properties: { x: { type: 'string' } },
          'x-kubernetes-preserve-unknown-fields': true,
        },
        qty: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
        list: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
      },
    }) as Doc;
    expect(strict.additionalProperties).toBe(false);
    expect(strict.properties.a.additionalProperties).toBe(false);
    expect(strict.properties.labels.additionalProperties).toEqual({ type: 'string' });
    expect(strict.properties.free.additionalProperties).toBeUndefined();
    expect(strict.properties.qty).toEqual({
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    });
    expect(strict.properties.list.items.additionalProperties).toBe(false);
    expect(strict.properties.list.items.required).toEqual(['name']);
  });
});

describe.skipIf(!available)(`TestRuns against the CRD (${crdPath()})`, () => {
  if (!available) return;
  const validate = compileTestRunValidator();

  it('uses the CRD of k6-operator v1.6.0 (the release the manifests target)', () => {
    expect(createHash('sha256').update(readFileSync(crdPath()!)).digest('hex')).toBe(REFERENCE_SHA256);
  });

  it('accepts every preset rendering', () => {
    for (const preset of PRESETS) {
      const doc = YAML.parse(renderPreset(preset)['testrun.yaml']!);
      expect(validate(doc), preset.dir).toEqual([]);
    }
  });

  it('accepts every checked-in testrun.yaml', () => {
    const dirs = readdirSync(MANIFESTS_DIR);
    expect(dirs.length).toBeGreaterThanOrEqual(4);
    for (const dir of dirs) {
      const doc = YAML.parse(readFileSync(path.join(MANIFESTS_DIR, dir, 'testrun.yaml'), 'utf8'));
      expect(validate(doc), dir).toEqual([]);
      expect(doc.spec.paused).toBe('true');
      expect(typeof doc.spec.quiet).toBe('string');
      expect(doc.spec.runner.resources.requests).toEqual(doc.spec.runner.resources.limits);
      expect(doc.spec.runner.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
      expect(doc.spec.starter.image).toMatch(/:starter-v\d+\.\d+\.\d+$/);
      expect(doc.spec.runner.livenessProbe.timeoutSeconds).toBeGreaterThan(1);
    }
  });

  it('accepts what the planner writes for every combination of its options', () => {
    const modes = ['collect', 'wait', 'e2e', 'outbound'];
    const profiles = ['smoke', 'load', 'soak', 'ramp', 'breakpoint'];
    const variants: string[][] = [
      [],
      ['--legacy-arguments'],
      ['--results-pvc', 'k6-results', '--separate', '--cleanup'],
      ['--prometheus-url', 'none'],
      ['--no-native-histograms', '--name', 'ml-x', '--image', 'registry.local/k6@sha256:abcd'],
    ];
    let count = 0;
    for (const mode of modes) {
      for (const profile of profiles) {
        for (const extra of variants) {
          const flags: Record<string, string | boolean> = {
            mode,
            profile,
            tps: profile === 'smoke' ? '5' : '1000',
          };
          for (let i = 0; i < extra.length; i++) {
            const key = extra[i]!.slice(2);
            const next = extra[i + 1];
            if (next !== undefined && !next.startsWith('--')) {
              flags[key] = next;
              i++;
            } else flags[key] = true;
          }
          const { input, deploy } = fromFlags(flags);
          const doc = buildTestRun(makePlan(input), deploy);
          expect(validate(doc), `${mode} ${profile} ${extra.join(' ')}`).toEqual([]);
          count++;
        }
      }
    }
    expect(count).toBe(100);
  });

  describe('refuses', () => {
    const good = () => YAML.parse(renderPreset(PRESETS[1]!)['testrun.yaml']!) as Doc;

    it('an unknown field in spec', () => {
      const doc = good();
      doc.spec.parallelismm = 4;
      expect(validate(doc)).toContain('spec: unknown field "parallelismm"');
    });

    it('a misspelt field deep in the runner', () => {
      const doc = good();
      doc.spec.runner.resources.limit = { cpu: '1' };
      doc.spec.runner.livenessProbe.timeout = 5;
      const errors = validate(doc);
      expect(errors).toContain('spec.runner.resources: unknown field "limit"');
      expect(errors).toContain('spec.runner.livenessProbe: unknown field "timeout"');
    });

    it('a boolean paused or quiet', () => {
      const doc = good();
      doc.spec.paused = true;
      doc.spec.quiet = false;
      expect(validate(doc)).toEqual(['spec.paused: must be string', 'spec.quiet: must be string']);
    });

    it('a cleanup other than post, a string parallelism, a missing script', () => {
      const doc = good();
      doc.spec.cleanup = 'always';
      doc.spec.parallelism = '4';
      delete doc.spec.script;
      const errors = validate(doc).join('\n');
      expect(errors).toContain('spec.cleanup: must be one of ["post"]');
      expect(errors).toContain('spec.parallelism: must be integer');
      expect(errors).toContain("must have required property 'script'");
    });

    it('the wrong kind or apiVersion', () => {
      const doc = good();
      doc.kind = 'K6';
      doc.apiVersion = 'k6.io/v1';
      expect(validate(doc).length).toBe(2);
    });

    it('duplicate keys of a map-type list', () => {
      const doc = good();
      doc.spec.runner.resources.claims = [{ name: 'a' }, { name: 'a' }];
      expect(validate(doc).join()).toMatch(/duplicate entry for key\(s\) name/);
    });

    it('accepts int-or-string quantities both ways, rejects other types', () => {
      const doc = good();
      doc.spec.runner.resources.limits.cpu = 2;
      expect(validate(doc)).toEqual([]);
      doc.spec.runner.resources.limits.cpu = true;
      expect(validate(doc).length).toBeGreaterThan(0);
    });
  });
});

describe.skipIf(available)('TestRuns against the CRD', () => {
  it(`skipped: set K6_OPERATOR_CRD to the k6-operator v1.6.0 CRD (docs/facts/operator.md#crd); now ${crdPath() ?? 'unset'}`, () => {});
});
