/**
 * The model's answer on arrival: parsed and validated again with ajv against `schemas/model-advice.schema.json`
 * (strict structured output is a request, not a guarantee: a model in JSON or text mode, an old API version or a
 * proxy can hand back anything). Tolerant where it is safe: a markdown fence or prose around the JSON is stripped
 * and the first JSON object taken; keys the schema does not name are ignored. Each item is still validated: one
 * invalid item does not sink the others, but an answer whose every item is invalid is rejected, not passed off as
 * "no advice"; an answer that is not the envelope at all is rejected whole.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../../paths.js';
import { getValidator } from '../../validation.js';
import type { NegotiatedCompletion } from './gateway/index.js';

/** The schema's enums as values, so a test keeps the types and the schema file from drifting apart. */
export const ADVICE_KINDS = [
  'interaction',
  'allergy',
  'contraindication',
  'dose',
  'duplication',
  'monitoring',
  'trend',
  'care-gap',
  'treatment',
  'differential',
  'other',
] as const;
/** What a specialist reading the chart adds: the insight lane's kinds (info unless a rule corroborates them). */
export const INSIGHT_KINDS = ['trend', 'care-gap', 'treatment', 'differential'] as const;
export const CLAIM_CHANGES = ['rise', 'fall', 'overdue'] as const;
export const CERTAINTIES = ['low', 'moderate', 'high'] as const;
export const MODEL_SEVERITIES = ['info', 'warning', 'critical'] as const;

export type AdviceKind = (typeof ADVICE_KINDS)[number];
export type Certainty = (typeof CERTAINTIES)[number];

export type InsightKind = (typeof INSIGHT_KINDS)[number];
export type ClaimChange = (typeof CLAIM_CHANGES)[number];

export const isInsightKind = (kind: AdviceKind): kind is InsightKind =>
  (INSIGHT_KINDS as readonly string[]).includes(kind);

export type ModelSuggestion =
  | { kind: 'cancel-draft'; draft: string }
  | { kind: 'order-lab'; loinc: string }
  | { kind: 'service-request'; code: string };

/** What an item says of a series, checkable against it: the value rose, fell, or is overdue. */
export interface ModelClaim {
  readonly change: ClaimChange;
  /** Alias of a lab or vital-sign series. */
  readonly series: string;
}

/** One advice item exactly as the schema allows it. */
export interface ModelAdviceItem {
  readonly kind: AdviceKind;
  readonly summary: string;
  readonly detail: string;
  readonly severity: (typeof MODEL_SEVERITIES)[number];
  readonly cites: readonly string[];
  /** The draft order or medication the item is about (an order concern may cite only a lab and a problem). */
  readonly about: string | null;
  readonly claim: ModelClaim | null;
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
    readonly reason:
      'not-json' | 'not-advice' | 'invalid-items' | 'refusal' | 'content-filter' | 'truncated' | 'empty',
  ) {
    super(`model output rejected: ${reason}`);
  }
}

/** Index of the brace closing the object that opens at `start`, or -1; braces inside strings do not count. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The answer's JSON: the whole content when it parses, else the first JSON object in it (past a markdown fence or
 * a sentence of prose). Undefined when there is none.
 */
export function firstJsonValue(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    // Not JSON as a whole: look for an object inside.
  }
  for (let start = content.indexOf('{'); start >= 0; start = content.indexOf('{', start + 1)) {
    const end = closingBrace(content, start);
    if (end < 0) continue;
    try {
      const value = JSON.parse(content.slice(start, end + 1)) as unknown;
      if (isRecord(value)) return value;
    } catch {
      // A brace in prose, not an object: try the next one.
    }
  }
  return undefined;
}

let knownKeys: { item: readonly string[]; suggestion: readonly string[] } | undefined;

/** The keys the schema names, for an item and for a suggestion (either kind). */
function schemaKeys(): { item: readonly string[]; suggestion: readonly string[] } {
  if (!knownKeys) {
    const defs = (responseFormatSchema() as { $defs: Record<string, { properties: object }> }).$defs;
    knownKeys = {
      item: Object.keys(defs.item?.properties ?? {}),
      suggestion: [
        ...new Set([
          ...Object.keys(defs.cancelDraft?.properties ?? {}),
          ...Object.keys(defs.orderLab?.properties ?? {}),
          ...Object.keys(defs.serviceRequest?.properties ?? {}),
        ]),
      ],
    };
  }
  return knownKeys;
}

const pick = (value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter((k) => k in value).map((k) => [k, value[k]]));

/**
 * Nullable fields a model in JSON or text mode (or an answer to an older prompt) may leave out: absent means null,
 * which is what they say (about the chart as a whole; no claim to check).
 */
const NULL_WHEN_ABSENT = ['about', 'claim'] as const;

/** An item with only the keys the schema names (a suggestion likewise); anything else is left as it is. */
function withKnownKeys(item: unknown): unknown {
  if (!isRecord(item)) return item;
  const keys = schemaKeys();
  const known = pick(item, keys.item);
  for (const key of NULL_WHEN_ABSENT) if (!(key in known)) known[key] = null;
  if (isRecord(known.suggestion)) known.suggestion = pick(known.suggestion, keys.suggestion);
  return known;
}

export function parseAnswer(content: string | null, modelVersion: string): ModelAnswer {
  if (content === null || content.trim() === '') throw new OutputRejectedError('empty');
  const data = firstJsonValue(content);
  if (data === undefined) throw new OutputRejectedError('not-json');
  const advice = isRecord(data) ? data.advice : undefined;
  if (!Array.isArray(advice)) throw new OutputRejectedError('not-advice');
  const validItem = getValidator(`${ADVICE_SCHEMA}#/$defs/item`);
  const items = advice.map(withKnownKeys).filter((item): item is ModelAdviceItem => validItem(item));
  if (advice.length > 0 && items.length === 0) throw new OutputRejectedError('invalid-items');
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

/** The answer a completion carries, or why it cannot be used. */
export function answerOf(completion: NegotiatedCompletion, configuredModel: string): ModelAnswer {
  if (completion.finishReason === 'content_filter') throw new OutputRejectedError('content-filter');
  if (completion.refusal) throw new OutputRejectedError('refusal');
  if (completion.finishReason === 'length') throw new OutputRejectedError('truncated');
  return parseAnswer(completion.content, completion.model || configuredModel);
}
