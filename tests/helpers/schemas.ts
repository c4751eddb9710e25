import { validate } from '../../src/validation.js';

/** Asserts a hook response conforms to our outgoing schema; returns the errors for a readable failure. */
export function responseSchemaErrors(body: unknown): unknown[] {
  const result = validate('cds-response', body);
  return result.valid ? [] : result.errors;
}
