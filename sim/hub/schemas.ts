/**
 * Body schema validation with the FSPIOP v2.0 JSON schemas of `@mojaloop/api-snippets`, the ones the
 * reference hub validates with (the v2.0 CorrelationId regex accepts ULIDs at any content version).
 *
 * Validators are compiled once per process (module-level cache shared by every simulator instance)
 * and reused; a compiled ajv validator costs a few microseconds per body. The ISO 20022 schema file
 * is 18 MB and its pacs.008 validator takes about a second to compile, so it loads on first use
 * unless `warmIsoSchemas()` is called at startup (the CLI does; tests that need no ISO skip it).
 *
 * ajv error -> FSPIOP code, as central-services-error-handling maps OpenAPI validation errors:
 * `required` -> 3102, `additionalProperties` -> 3103, `type` -> 3101, anything else -> 3100.
 * ajv runs with `coerceTypes` like the hub, so a numeric amount passes as a string.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FspiopError } from '../fspiop/errors.ts';

// ajv-formats is CommonJS with a `default` property; unwrap it whichever way the loader exposes it.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

export type FspiopSchemaName =
  | 'TransfersPostRequest'
  | 'TransfersIDPutResponse'
  | 'TransfersIDPatchResponse'
  | 'ErrorInformationObject'
  | 'QuotesPostRequest'
  | 'QuotesIDPutResponse'
  | 'PartiesTypeIDPutResponse';

export type IsoSchemaName =
  | 'Execute_FIToFICustomerCreditTransferV13'
  | 'PacsStatus_FIToFIPaymentStatusReportV15'
  | 'PacsError_FIToFIPaymentStatusReportV15';

const FSPIOP_SCHEMAS: readonly FspiopSchemaName[] = [
  'TransfersPostRequest',
  'TransfersIDPutResponse',
  'TransfersIDPatchResponse',
  'ErrorInformationObject',
  'QuotesPostRequest',
  'QuotesIDPutResponse',
  'PartiesTypeIDPutResponse',
];
const ISO_SCHEMAS: readonly IsoSchemaName[] = [
  'Execute_FIToFICustomerCreditTransferV13',
  'PacsStatus_FIToFIPaymentStatusReportV15',
  'PacsError_FIToFIPaymentStatusReportV15',
];

const require = createRequire(import.meta.url);

function loadSchemaFile(relative: string): Record<string, unknown> {
  const path = require.resolve(`@mojaloop/api-snippets/${relative}`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: true, validateSchema: false });
  addFormats(ajv);
  return ajv;
}

let fspiop: Map<string, ValidateFunction> | undefined;
let iso: Map<string, ValidateFunction> | undefined;

function fspiopValidators(): Map<string, ValidateFunction> {
  if (!fspiop) {
    const file = loadSchemaFile('lib/fspiop/v2_0/json-schemas.json');
    const ajv = newAjv();
    const m = new Map<string, ValidateFunction>();
    for (const name of FSPIOP_SCHEMAS) m.set(name, ajv.compile(file[name] as object));
    fspiop = m;
  }
  return fspiop;
}

function isoValidators(): Map<string, ValidateFunction> {
  if (!iso) {
    const file = loadSchemaFile('lib/fspiop/v2_0_ISO20022/json-schemas.json');
    const ajv = newAjv();
    const m = new Map<string, ValidateFunction>();
    for (const name of ISO_SCHEMAS) m.set(name, ajv.compile(openChoices(file[name])));
    iso = m;
  }
  return iso;
}

/** Compiles the FSPIOP validators now (cheap, ~0.1 s); the simulator calls it at startup. */
export function warmFspiopSchemas(): void {
  fspiopValidators();
}

/** Compiles the ISO 20022 validators now (~1.5 s) instead of on the first ISO request. */
export function warmIsoSchemas(): void {
  isoValidators();
}

/**
 * The ISO schemas model ISO "choice" types as `{additionalProperties:false, anyOf:[{properties:{A}},
 * {properties:{B}}]}` with no `properties` of their own. Under JSON Schema that rejects every
 * property (they are all "additional" at the outer level), so even the harness's minimal
 * `Cdtr:{Id:{OrgId:...}}` would fail. The evident intent is "exactly the alternatives' properties
 * are allowed": this copy lists the alternatives' property names at the outer level too.
 */
function openChoices(schema: unknown): object {
  const seen = new Map<object, unknown>();
  // `isMap`: the node is a `properties` map, whose keys are property names, not keywords.
  const walk = (node: unknown, isMap = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n));
    if (typeof node !== 'object' || node === null) return node;
    const cached = seen.get(node);
    if (cached) return cached;
    const out: Record<string, unknown> = {};
    seen.set(node, out);
    for (const [k, v] of Object.entries(node)) {
      if (!isMap && (k === 'example' || k === 'description')) continue;
      out[k] = walk(v, !isMap && (k === 'properties' || k === 'patternProperties'));
    }
    const alts = (out.anyOf ?? out.oneOf) as unknown;
    if (out.additionalProperties === false && Array.isArray(alts)) {
      const props = { ...((out.properties as Record<string, unknown> | undefined) ?? {}) };
      for (const alt of alts) {
        const altProps = (alt as { properties?: Record<string, unknown> }).properties;
        if (altProps) for (const name of Object.keys(altProps)) if (!(name in props)) props[name] = true;
      }
      out.properties = props;
    }
    return out;
  };
  return walk(schema) as object;
}

function describe(e: ErrorObject): FspiopError {
  const where = `body${e.instancePath}`;
  switch (e.keyword) {
    case 'required':
      return new FspiopError(
        '3102',
        `${where} must have required property '${(e.params as { missingProperty: string }).missingProperty}'`,
      );
    case 'additionalProperties':
      return new FspiopError(
        '3103',
        `${where} must NOT have additional property '${(e.params as { additionalProperty: string }).additionalProperty}'`,
      );
    case 'type':
      return new FspiopError('3101', `${where} ${e.message ?? 'has the wrong type'}`);
    default:
      return new FspiopError('3100', `${where} ${e.message ?? 'is invalid'}`);
  }
}

function run(v: ValidateFunction | undefined, body: unknown): FspiopError | undefined {
  if (!v) return new FspiopError('2001', 'no validator');
  if (v(body)) return undefined;
  const e = v.errors?.[0];
  return e ? describe(e) : new FspiopError('3100', 'body is invalid');
}

/** Validates a parsed FSPIOP body; undefined when valid. May coerce scalar types in place. */
export function validateFspiopBody(name: FspiopSchemaName, body: unknown): FspiopError | undefined {
  return run(fspiopValidators().get(name), body);
}

/** Validates a parsed ISO 20022 body; undefined when valid. */
export function validateIsoBody(name: IsoSchemaName, body: unknown): FspiopError | undefined {
  return run(isoValidators().get(name), body);
}
