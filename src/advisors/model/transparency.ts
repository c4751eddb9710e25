/**
 * What an AI card says about itself beyond its advice (contract "Cards"; ONC HTI-1 source attributes): its source
 * links to the model fact sheet, it says when its advice came from an earlier hook (the late-answer cache) and
 * what the model did not see, and a suggestion that creates a resource also creates that resource's `Provenance`
 * (HL7 AI Transparency on FHIR IG): the model as agent (a contained Device), the cited evidence as entities, the
 * `AIAST` label on both — so the EHR's own record shows what the AI contributed.
 */
import { randomUUID } from 'node:crypto';
import type { Device, FhirResource, Provenance } from 'fhir/r4.js';
import { bulletList } from '../../findings/markdown.js';
import type { Finding, FindingAction, FindingSuggestion } from '../../findings/types.js';
import type { ModelInput } from './deidentify.js';
import { AIAST_LABEL } from './findings.js';

export interface CardContext {
  /** `{PUBLIC_BASE_URL}/model-facts`; absent: the card keeps no source link. */
  readonly factSheetUrl: string | undefined;
  readonly servedFrom: 'call' | 'cache';
  /** When the answer arrived: earlier than `now` when it came from the cache. */
  readonly answeredAt: Date;
  readonly now: Date;
  /** The de-identified input the answer was given for: what the model saw, so what it did not. */
  readonly input: ModelInput;
  readonly deployment: string;
  readonly modelVersion: string;
  readonly promptVersion: string;
}

/** What never reaches the model, by construction (src/advisors/model/deidentify.ts). */
export const NEVER_SENT = [
  'names, identifiers, addresses and contact details',
  'dates (dates of birth, order and result dates: only "3 days ago")',
  'free text (notes, dosage instructions, comments) and the chart’s own wording of drug, problem and lab names',
  'age above 89 (sent as "90+")',
] as const;

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** Items sent with codes only: our tables had no name for them, and the model was told not to guess. */
function namelessCount(input: ModelInput): number {
  return [
    ...input.activeMedications,
    ...input.draftOrders,
    ...input.problems,
    ...input.allergies,
    ...input.labs,
  ].filter((item) => item.name === null).length;
}

export function notSeenNote(input: ModelInput): string {
  const parts: string[] = [...NEVER_SENT];
  if (input.missingData.length > 0)
    parts.push(`data the service could not obtain: ${input.missingData.join(', ')}`);
  const nameless = namelessCount(input);
  if (nameless > 0)
    parts.push(`a name for ${nameless} item${nameless === 1 ? '' : 's'} (sent as codes only)`);
  // Our own words and prefetch key names only: nothing from the chart, so nothing to escape.
  return '**What the model did not see:**\n' + bulletList(parts);
}

export function earlierHookNote(answeredAt: Date, now: Date): string {
  return `**From an earlier request:** this advice was computed ${ago(now.getTime() - answeredAt.getTime())} ago for an earlier hook on the same de-identified data, and checked again against this request.`;
}

/** The Provenance of a resource an AI suggestion creates, as its own `create` action. */
function provenanceOf(target: string, evidence: readonly string[], context: CardContext): Provenance {
  const model: Device = {
    resourceType: 'Device',
    id: 'model',
    deviceName: [{ name: context.deployment, type: 'model-name' }],
    version: [{ value: `${context.modelVersion} (prompt ${context.promptVersion})` }],
  };
  return {
    resourceType: 'Provenance',
    meta: { security: [{ ...AIAST_LABEL }] },
    contained: [model],
    target: [{ reference: target }],
    recorded: context.now.toISOString(),
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
              code: 'author',
              display: 'Author',
            },
          ],
        },
        who: { reference: '#model', display: `CDS Advisor AI (${context.modelVersion})` },
      },
    ],
    entity: evidence.map((ref) => ({ role: 'source' as const, what: { reference: ref } })),
  };
}

function withProvenance(
  suggestion: FindingSuggestion,
  evidence: readonly string[],
  context: CardContext,
): FindingSuggestion {
  const actions: FindingAction[] = [];
  for (const action of suggestion.actions) {
    if (action.type !== 'create' || action.resource.resourceType === 'Provenance') {
      actions.push(action);
      continue;
    }
    // The target needs an id to be named; an EHR that assigns its own rewrites the reference, as in a transaction.
    const resource = { ...action.resource, id: action.resource.id ?? randomUUID() } as FhirResource;
    actions.push({ ...action, resource });
    actions.push({
      type: 'create',
      description: `Record that the AI suggested this (${resource.resourceType} provenance)`,
      resource: provenanceOf(`${resource.resourceType}/${resource.id!}`, evidence, context),
    });
  }
  return { ...suggestion, actions };
}

/** The model finding as its card shows it: the fact sheet link, the notes, and Provenance on every creation. */
export function explained(finding: Finding, context: CardContext): Finding {
  const notes = [
    context.servedFrom === 'cache' ? earlierHookNote(context.answeredAt, context.now) : undefined,
    notSeenNote(context.input),
  ].filter((n): n is string => n !== undefined);
  return {
    ...finding,
    detail: [finding.detail, ...notes].join('\n\n'),
    source: {
      ...finding.source,
      ...(context.factSheetUrl !== undefined && { url: context.factSheetUrl }),
    },
    ...(finding.suggestions && {
      suggestions: finding.suggestions.map((s) => withProvenance(s, finding.evidence, context)),
    }),
  };
}
