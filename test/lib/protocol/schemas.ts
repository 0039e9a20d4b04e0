/**
 * Test helper: the real FSPIOP JSON schemas from `@mojaloop/api-snippets`, compiled with ajv.
 *
 * - v2.0: `lib/fspiop/v2_0/json-schemas.json` (self-contained schemas, one per type).
 * - v1.1: the bundled OpenAPI document `docs/fspiop-rest-v1.1-openapi3-snippets.yaml` (the package
 *   ships no v1.1 JSON schemas); its `components.schemas` are addressed by JSON pointer.
 * - ISO 20022: `lib/fspiop/v2_0_ISO20022/json-schemas.json` (18 MB; parsed once per test file,
 *   only the requested schemas compiled).
 *
 * One repair is applied to the ISO schemas, and only there: ISO "choice" types (Party52Choice,
 * CryptographicLockChoice, ... 19 of them) are written as `additionalProperties: false` next to an
 * `anyOf` whose branches hold the properties. Under JSON Schema that rejects every property, so no
 * valid message (not even the harness's `Dbtr.Id.OrgId`) could pass. The repair moves the
 * `additionalProperties: false` into each branch, which is what a choice means: exactly one of the
 * listed elements and nothing else. `isoChoiceRepairs` reports how many nodes were changed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);
/** ajv-formats is CommonJS: under NodeNext its default import is the module object. */
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;
const SNIPPETS = path.dirname(require.resolve('@mojaloop/api-snippets/package.json'));

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

export interface SchemaSet {
  validator(name: string): ValidateFunction;
  /** Throws with ajv's errors when `body` does not validate (nicer failures than a boolean). */
  assertValid(name: string, body: unknown): void;
  /** The ajv error text, or undefined when valid. */
  errors(name: string, body: unknown): string | undefined;
}

function schemaSet(ajv: Ajv, resolve: (name: string) => object | string): SchemaSet {
  const cache = new Map<string, ValidateFunction>();
  const validator = (name: string): ValidateFunction => {
    let v = cache.get(name);
    if (!v) {
      const s = resolve(name);
      v = typeof s === 'string' ? ajv.getSchema(s) : ajv.compile(s);
      if (!v) throw new Error(`schema ${name} not found`);
      cache.set(name, v);
    }
    return v;
  };
  const errors = (name: string, body: unknown): string | undefined => {
    const v = validator(name);
    return v(body) ? undefined : ajv.errorsText(v.errors, { separator: '\n' });
  };
  return {
    validator,
    errors,
    assertValid(name, body) {
      const e = errors(name, body);
      if (e !== undefined) throw new Error(`${name} rejected ${JSON.stringify(body)}:\n${e}`);
    },
  };
}

export function fspiopV2Schemas(): SchemaSet {
  const all = JSON.parse(
    readFileSync(path.join(SNIPPETS, 'lib/fspiop/v2_0/json-schemas.json'), 'utf8'),
  ) as Record<string, object>;
  return schemaSet(newAjv(), (name) => {
    const s = all[name];
    if (!s) throw new Error(`no v2.0 schema ${name}`);
    return s;
  });
}

export function fspiopV11Schemas(): SchemaSet {
  const doc = parseYaml(
    readFileSync(path.join(SNIPPETS, 'docs/fspiop-rest-v1.1-openapi3-snippets.yaml'), 'utf8'),
  ) as { components: { schemas: Record<string, object> } };
  const ajv = newAjv();
  ajv.addSchema({ components: doc.components }, 'v1_1');
  return schemaSet(ajv, (name) => {
    if (!doc.components.schemas[name]) throw new Error(`no v1.1 schema ${name}`);
    return `v1_1#/components/schemas/${name}`;
  });
}

export let isoChoiceRepairs = 0;

function repairChoices(node: unknown, seen: Set<object>): void {
  if (typeof node !== 'object' || node === null || seen.has(node)) return;
  seen.add(node);
  const n = node as Record<string, unknown>;
  const branches = (n.anyOf ?? n.oneOf) as unknown;
  if (n.additionalProperties === false && n.properties === undefined && Array.isArray(branches)) {
    delete n.additionalProperties;
    for (const b of branches) {
      if (typeof b === 'object' && b !== null && 'properties' in b) {
        (b as Record<string, unknown>).additionalProperties = false;
      }
    }
    isoChoiceRepairs++;
  }
  for (const v of Object.values(n)) repairChoices(v, seen);
}

export interface IsoSchemaSet extends SchemaSet {
  /** The schema as published (no repair), to show the defect the repair addresses. */
  raw(name: string): ValidateFunction;
}

export function isoSchemas(names: readonly string[]): IsoSchemaSet {
  const all = JSON.parse(
    readFileSync(path.join(SNIPPETS, 'lib/fspiop/v2_0_ISO20022/json-schemas.json'), 'utf8'),
  ) as Record<string, object>;
  const picked = new Map<string, object>();
  const originals = new Map<string, string>();
  const seen = new Set<object>();
  for (const name of names) {
    const s = all[name];
    if (!s) throw new Error(`no ISO 20022 schema ${name}`);
    originals.set(name, JSON.stringify(s));
    repairChoices(s, seen);
    picked.set(name, s);
  }
  const set = schemaSet(newAjv(), (name) => {
    const s = picked.get(name);
    if (!s) throw new Error(`ISO schema ${name} was not loaded`);
    return s;
  });
  return {
    ...set,
    raw(name) {
      const text = originals.get(name);
      if (!text) throw new Error(`ISO schema ${name} was not loaded`);
      return newAjv().compile(JSON.parse(text) as object);
    },
  };
}

/** The `TxSts` values of the FSPIOP ISO 20022 API (`ExternalPaymentTransactionStatus1Code`). */
export function isoTxStatusEnum(): string[] {
  const all = JSON.parse(
    readFileSync(path.join(SNIPPETS, 'lib/fspiop/v2_0_ISO20022/json-schemas.json'), 'utf8'),
  ) as Record<string, { enum?: string[] }>;
  const e = all.ExternalPaymentTransactionStatus1Code?.enum;
  if (!e) throw new Error('ExternalPaymentTransactionStatus1Code has no enum in @mojaloop/api-snippets');
  return e;
}
