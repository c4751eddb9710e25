/**
 * Reading FHIR JSON that was only shape-checked (each resource has a string `resourceType`, nothing more). Every
 * field is read through one of these guards, so a field of the wrong JSON type counts as absent: a number where
 * FHIR has a string, `null` inside an array, an object where a list belongs. Nothing is coerced (`"5.4"` is not
 * the number 5.4, `5` is not the string `"5"`): a guessed value could mislead a rule more than a missing one.
 */

/** A JSON object (a FHIR resource or element) whose fields are not yet trusted. */
export type JsonRecord = Readonly<Record<string, unknown>>;

export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

/** A list, or none when the value is not an array: a lone element where FHIR has a list is not guessed at. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The objects of a list, skipping `null` and other non-object items. */
export function asRecords(value: unknown): JsonRecord[] {
  // A loop, not flatMap: this runs for every list of every resource of every chart.
  const records: JsonRecord[] = [];
  for (const item of asArray(value)) {
    const record = asRecord(item);
    if (record) records.push(record);
  }
  return records;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The strings of a list, skipping items of other types. */
export function asStrings(value: unknown): string[] {
  const strings: string[] = [];
  for (const item of asArray(value)) if (typeof item === 'string') strings.push(item);
  return strings;
}

/** A finite number: JSON has no NaN or Infinity, and a rule must never compare one. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` when it is one of `allowed` (a FHIR code from a required value set), else absent. */
export function asMember<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}
