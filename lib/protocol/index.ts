/**
 * The sans-IO FSPIOP core in one import. Modules stay importable on their own (bundles only keep
 * what is used either way).
 */
export * from './bodies.ts';
export * from './bytes.ts';
export * from './canonical-json.ts';
export * from './crypto.ts';
export * from './currency.ts';
export * from './headers.ts';
export * from './http.ts';
export * from './ids.ts';
export * from './ilp.ts';
export * from './interpret.ts';
export * from './iso20022.ts';
export * from './jws.ts';
export * from './material.ts';
export * from './money.ts';
export * from './outcome.ts';
export * from './patterns.ts';
export * from './trace.ts';
export * from './transaction.ts';
