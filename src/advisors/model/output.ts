/**
 * The model's answer on arrival: parsed and validated again with ajv against `schemas/model-advice.schema.json`
 * (strict structured output is a request, not a guarantee: a different deployment, an old API version or a
 * proxy can hand back anything). One invalid item does not sink the others; an answer that is not the envelope
 * at all is rejected whole.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../../paths.js';
import { getValidator } from '../../validation.js';

/** The schema's enums as values, so a test keeps the types and the schema file from drifting apart. */
export const ADVICE_KINDS = [
  'interaction',
  'allergy',
  'contraindication',
  'dose',
  'duplication',
  'monitoring',
  'other',
] as const;
export const CERTAINTIES = ['low', 'moderate', 'high'] as const;
export const MODEL_SEVERITIES = ['info', 'warning', 'critical'] as const;

export type AdviceKind = (typeof ADVICE_KINDS)[number];
export type Certainty = (typeof CERTAINTIES)[number];

export type ModelSuggestion = { kind: 'cancel-draft'; draft: string } | { kind: 'order-lab'; loinc: string };

/** One advice item exactly as the schema allows it. */
export interface ModelAdviceItem {
  readonly kind: AdviceKind;
  readonly summary: string;
  readonly detail: string;
  readonly severity: (typeof MODEL_SEVERITIES)[number];
  readonly cites: readonly string[];
  readonly certainty: Certainty;
  readonly suggestion: ModelSuggestion | null;
}

/** What the late-advice cache keeps: the validated answer, not findings (aliases map back per request). */
export interface ModelAnswer {
  readonly items: readonly ModelAdviceItem[];
  /** Items that failed validation and were dropped on arrival. */
  readonly invalidItems: number;
  /** The model version the API reported (e.g. `gpt-4o-2024-08-06`). */
  readonly modelVersion: string;
}

export const ADVICE_SCHEMA = 'model-advice';

/** Why an answer could not be used at all. */
export class OutputRejectedError extends Error {
  override readonly name = 'OutputRejectedError';
  constructor(
    readonly reason: 'not-json' | 'not-advice' | 'refusal' | 'content-filter' | 'truncated' | 'empty',
  ) {
    super(`model output rejected: ${reason}`);
  }
}

export function parseAnswer(content: string | null, modelVersion: string): ModelAnswer {
  if (content === null || content.trim() === '') throw new OutputRejectedError('empty');
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    throw new OutputRejectedError('not-json');
  }
  if (getValidator(ADVICE_SCHEMA)(data)) {
    return { items: (data as { advice: ModelAdviceItem[] }).advice, invalidItems: 0, modelVersion };
  }
  const advice = (data as { advice?: unknown } | null)?.advice;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !Array.isArray(advice)) {
    throw new OutputRejectedError('not-advice');
  }
  const validItem = getValidator(`${ADVICE_SCHEMA}#/$defs/item`);
  const items = advice.filter((item): item is ModelAdviceItem => validItem(item));
  return { items, invalidItems: advice.length - items.length, modelVersion };
}

let strictSchema: Record<string, unknown> | undefined;

/**
 * The schema as sent in `response_format`: the same file, without the keywords structured outputs does not take
 * (`$schema`, `$id`, `title`).
 */
export function responseFormatSchema(): Record<string, unknown> {
  if (!strictSchema) {
    const file = path.join(SCHEMAS_DIR, `${ADVICE_SCHEMA}.schema.json`);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const keyword of ['$schema', '$id', 'title']) delete schema[keyword];
    strictSchema = schema;
  }
  return strictSchema;
}
