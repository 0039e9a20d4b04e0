/**
 * Offline validation of TestRun manifests against the k6-operator's published CRD.
 *
 * The CRD's `openAPIV3Schema` is plain enough for ajv, but it never says `additionalProperties:
 * false`: the API server prunes unknown fields (or rejects them under strict field validation), so a
 * typo such as `resource:` would vanish silently in the cluster. `toStrictSchema` therefore closes
 * every object that declares `properties` (unless it says `x-kubernetes-preserve-unknown-fields`),
 * keeps the int-or-string quantities as they are (`anyOf` integer|string), and checks the
 * `x-kubernetes-list-type: map` keys for duplicates (two `env` entries with one name), as the API
 * server would.
 *
 * The CRD file is not vendored into the repo (it belongs to the k6-operator project): its path
 * comes from `K6_OPERATOR_CRD` (docs/facts/operator.md#crd says where to get it); without it the
 * schema checks are skipped, and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the CRD is: `K6_OPERATOR_CRD` (a path, relative to the repository root or absolute), or undefined. */
export function crdPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = env.K6_OPERATOR_CRD?.trim();
  return p ? path.resolve(root, p) : undefined;
}

export function crdAvailable(p = crdPath()): p is string {
  return p !== undefined && existsSync(p);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requiredCrdPath(): string {
  const p = crdPath();
  if (!crdAvailable(p)) {
    throw new Error(
      `the k6-operator TestRun CRD is not at ${p ?? '(K6_OPERATOR_CRD unset)'}: set K6_OPERATOR_CRD`,
    );
  }
  return p;
}

/** The `openAPIV3Schema` of the CRD's `v1alpha1` version. */
export function loadOpenApiSchema(file = requiredCrdPath()): JsonObject {
  const doc = YAML.parse(readFileSync(file, 'utf8')) as Json;
  if (!isObject(doc) || doc.kind !== 'CustomResourceDefinition' || !isObject(doc.spec)) {
    throw new Error(`${file}: not a CustomResourceDefinition`);
  }
  const versions = doc.spec.versions;
  if (!Array.isArray(versions)) throw new Error(`${file}: spec.versions missing`);
  const v1 = versions.find((v) => isObject(v) && v.name === 'v1alpha1');
  if (!isObject(v1) || !isObject(v1.schema) || !isObject(v1.schema.openAPIV3Schema)) {
    throw new Error(`${file}: no openAPIV3Schema for v1alpha1`);
  }
  return v1.schema.openAPIV3Schema;
}

/**
 * A deep copy of an OpenAPI v3 schema with `additionalProperties: false` on every object that
 * declares `properties` and neither sets `additionalProperties` nor preserves unknown fields.
 */
export function toStrictSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toStrictSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isObject(v)) {
      const props: JsonObject = {};
      for (const [name, sub] of Object.entries(v)) props[name] = toStrictSchema(sub);
      out[k] = props;
    } else if (k === 'enum' || k === 'required' || k === 'default' || k === 'x-kubernetes-list-map-keys') {
      out[k] = v;
    } else {
      out[k] = toStrictSchema(v);
    }
  }
  if (
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** Problems with a document, as `path: message` lines; empty when it is valid. */
export type TestRunValidator = (doc: unknown) => string[];

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

function formatError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown field ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (e.keyword === 'enum') {
    return `${where}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  return `${where}: ${e.message ?? e.keyword}`;
}

const compiled = new Map<string, TestRunValidator>();

/**
 * A validator for whole TestRun documents (apiVersion, kind and spec checked too). Compiling the
 * 280 KB schema takes a second or two, so validators are cached per CRD file.
 */
export function compileTestRunValidator(file = requiredCrdPath()): TestRunValidator {
  const cached = compiled.get(file);
  if (cached) return cached;
  const v = compile(file);
  compiled.set(file, v);
  return v;
}

function compile(file: string): TestRunValidator {
  const strict = toStrictSchema(loadOpenApiSchema(file)) as JsonObject;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv, ['int32', 'int64', 'date-time']);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type' });
  ajv.addKeyword({ keyword: 'x-kubernetes-map-type' });
  ajv.addKeyword({ keyword: 'x-kubernetes-int-or-string' });
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields' });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-map-keys',
    type: 'array',
    errors: true,
    validate: function uniqueMapKeys(keys: string[], data: unknown[]): boolean {
      const seen = new Set<string>();
      for (const item of data) {
        if (typeof item !== 'object' || item === null) continue;
        const id = JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k]));
        if (seen.has(id)) {
          (uniqueMapKeys as unknown as { errors: Partial<ErrorObject>[] }).errors = [
            {
              keyword: 'x-kubernetes-list-map-keys',
              message: `duplicate entry for key(s) ${keys.join(', ')} = ${id}`,
              params: {},
            },
          ];
          return false;
        }
        seen.add(id);
      }
      return true;
    },
  });
  const envelope = {
    ...strict,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      ...(strict.properties as JsonObject),
      apiVersion: { type: 'string', const: 'k6.io/v1alpha1' },
      kind: { type: 'string', const: 'TestRun' },
    },
  };
  const validate: ValidateFunction = ajv.compile(envelope);
  return (doc: unknown): string[] => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).map(formatError);
  };
}
