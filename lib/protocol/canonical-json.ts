/**
 * JSON text with object keys sorted (UTF-16 code-unit order) at every level, otherwise exactly
 * `JSON.stringify`: undefined and function members are skipped, non-finite numbers become null.
 *
 * Why: the ILP v4 data is base64url(JSON of the transaction object) and the fulfilment is an HMAC
 * over that JSON, which a payee recomputes by re-stringifying the parsed object. SSC up to 19.18.8
 * keeps the parsed key order (fast-safe-stringify); 19.18.9 and later sort keys
 * (safe-stable-stringify). Sorted text is the one form both reproduce byte for byte, so a payee of
 * either generation derives the same fulfilment (docs/facts/mojaloop.md#ilp).
 *
 * Cost matters (once per transfer, and k6 interprets JS slowly): the fast path reorders objects
 * whose keys are out of order (reusing those already in order) and lets the native
 * `JSON.stringify` write the text. Integer-like keys ("0", "12") would be reordered by the engine's
 * property order, so their presence sends the value down the slow, fully hand-written path.
 */
export function canonicalJson(value: unknown): string {
  slowNeeded = false;
  const view = sortedView(value, 0);
  if (!slowNeeded) return JSON.stringify(view) ?? 'null';
  return write(value) ?? 'null';
}

/** Whether a key is integer-like (array-index form), which engines order before other keys. */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (k === '0') return true;
  if (c === 48) return false;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
}
const MAX_DEPTH = 64;
let slowNeeded = false;

function keysSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** The value itself when its keys are already in order at every level, else a reordered copy. */
function sortedView(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null || slowNeeded) return v;
  if (depth > MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    slowNeeded = true;
    return v;
  }
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = sortedView(v[i], depth + 1);
      if (c !== v[i] && !copy) copy = v.slice(0, i);
      if (copy) copy.push(c);
    }
    return copy ?? v;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  const inOrder = keysSorted(keys);
  let copy: Record<string, unknown> | undefined;
  const order = inOrder ? keys : keys.slice().sort();
  // Null-prototype copies: a key named "__proto__" must stay an own property, not set the prototype.
  if (!inOrder) copy = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    if (isIndexKey(k)) {
      slowNeeded = true;
      return v;
    }
    const child = obj[k];
    const c = sortedView(child, depth + 1);
    if (c !== child && !copy) {
      copy = Object.create(null) as Record<string, unknown>;
      for (let j = 0; j < i; j++) copy[order[j]!] = obj[order[j]!];
    }
    if (copy) copy[k] = c;
  }
  return copy ?? v;
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  const asJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof asJson === 'function') return write(asJson.call(value));
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i]) ?? 'null';
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = write(obj[k]);
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + v;
    first = false;
  }
  return out + '}';
}
