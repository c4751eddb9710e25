/**
 * One Ajv instance for the whole service. Every JSON Schema under `schemas/` (recursively) is registered by its
 * `$id` and compiled once, on first use. Validation failures come back as values with JSON-pointer paths.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ErrorDetail } from './errors.js';
import { SCHEMAS_DIR } from './paths.js';

export const SCHEMA_BASE = 'https://cds-advisor.dev/schemas/';

const addFormats = addFormatsModule.default;

function listSchemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSchemaFiles(full);
    return entry.name.endsWith('.schema.json') ? [full] : [];
  });
}

/**
 * Strings from outside that end up in the store. PostgreSQL cannot hold a NUL in text, so one there is a request
 * the database refuses on every retry: refused here instead, with a 400 naming the field. Identifiers, codes and
 * single-line labels take no control character at all; free text (a clinician's comment) keeps its line breaks.
 */
const TEXT_FORMATS = {
  'no-control-characters': {
    validate: (value: string) => !/\p{Cc}/u.test(value),
    message: 'must not contain control characters',
  },
  'no-nul': {
    validate: (value: string) => !value.includes('\u0000'),
    message: 'must not contain a NUL character',
  },
} as const;

function createAjv(): Ajv {
  // strictRequired is off: `required` inside if/then and not-clauses names properties declared elsewhere.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  for (const [name, { validate: check }] of Object.entries(TEXT_FORMATS)) ajv.addFormat(name, check);
  for (const file of listSchemaFiles(SCHEMAS_DIR)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
    if (!schema.$id?.startsWith(SCHEMA_BASE)) {
      throw new Error(
        `schema ${path.relative(SCHEMAS_DIR, file)} must have an $id starting with ${SCHEMA_BASE}`,
      );
    }
    ajv.addSchema(schema);
  }
  // Compile everything now: a broken schema stops the start instead of failing a request later.
  for (const id of Object.keys(ajv.schemas)) {
    if (id.startsWith(SCHEMA_BASE)) ajv.getSchema(id);
  }
  return ajv;
}

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

export function getAjv(): Ajv {
  ajvInstance ??= createAjv();
  return ajvInstance;
}

/** Full schema id for a short name: `cds-request` → `https://cds-advisor.dev/schemas/cds-request`. */
export function schemaId(name: string): string {
  return name.startsWith(SCHEMA_BASE) ? name : SCHEMA_BASE + name;
}

export function getValidator(name: string): ValidateFunction {
  const id = schemaId(name);
  let fn = compiled.get(id);
  if (!fn) {
    fn = getAjv().getSchema(id);
    if (!fn) throw new Error(`no JSON Schema registered with $id ${id}`);
    compiled.set(id, fn);
  }
  return fn;
}

export type Validation<T> = { valid: true; value: T } | { valid: false; errors: ErrorDetail[] };

const MAX_REPORTED_ERRORS = 10;

/** Validate `data` against a registered schema; `prefix` is prepended to paths (e.g. `/context`). */
export function validate<T>(name: string, data: unknown, prefix = ''): Validation<T> {
  const fn = getValidator(name);
  if (fn(data)) return { valid: true, value: data as T };
  return { valid: false, errors: describeErrors(fn.errors ?? [], prefix) };
}

/** Turns Ajv's errors into short, precise messages a client developer can act on. */
export function describeErrors(errors: readonly ErrorObject[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // `if`/`anyOf`/`oneOf` wrappers repeat what their branches already said.
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const detail = describeError(e, prefix);
    const key = `${detail.path}|${detail.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(detail);
    if (out.length >= MAX_REPORTED_ERRORS) break;
  }
  if (out.length === 0 && errors[0]) out.push(describeError(errors[0], prefix));
  return out;
}

function describeError(e: ErrorObject, prefix: string): ErrorDetail {
  const base = prefix + e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${base}/${String(params.missingProperty)}`, message: 'is required' };
    case 'enum':
      return {
        path: base || '/',
        message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path: base || '/', message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'additionalProperties':
      return { path: `${base}/${String(params.additionalProperty)}`, message: 'is not allowed here' };
    case 'format': {
      const text = TEXT_FORMATS[params.format as keyof typeof TEXT_FORMATS] as
        { message: string } | undefined;
      return { path: base || '/', message: text?.message ?? e.message ?? 'has the wrong format' };
    }
    default:
      return { path: base || '/', message: e.message ?? `fails ${e.keyword}` };
  }
}
