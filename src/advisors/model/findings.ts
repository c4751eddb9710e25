/**
 * Guarded model items → findings, labelled as AI-generated with their provenance (contract: "Cards"): source
 * label and detail say AI-generated; `model` is the deployment and the model version the API reported;
 * evidence is the cited aliases mapped back to `Type/id`. The detail says which data the advice rests on, in
 * words, what the service checked of its claim, and the model's own certainty, marked as its statement and not a
 * validated probability. Any resource a suggestion would create carries the AIAST security label (HL7 AI
 * Transparency on FHIR): a lab order or a follow-up/referral, each a draft ServiceRequest proposal; the model
 * never creates a medication order.
 */
import type { Coding } from '../../cds/types.js';
import { LOINC, SNOMED } from '../../clinical/types.js';
import { bulletList, md } from '../../findings/markdown.js';
import { OVERRIDE_REASON_SYSTEM } from '../rules/findingKinds.js';
import type { Finding, FindingSuggestion } from '../../findings/types.js';
import type { CheckedItem } from './claims.js';
import type { GuardedItem, GuardedSuggestion } from './guards.js';
import { type DrugVocabulary, modelFindingKey } from './keys.js';
import { isInsightKind } from './output.js';
import { PROMPT_VERSION } from './prompt.js';

/** Names the model that answered, as its response named it (e.g. `gpt-4o-2024-08-06`), not the vendor we assume. */
export const modelSourceLabel = (answeredBy: string): string =>
  `CDS Advisor AI (${answeredBy}, AI-generated)`;

export const AIAST_LABEL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'AIAST',
  display: 'Artificial Intelligence asserted',
} as const;

/** Reasons that tell the safety team which AI cards misfired, and how (the rules' code system, our codes). */
export const MODEL_OVERRIDE_REASONS: readonly Coding[] = [
  { system: OVERRIDE_REASON_SYSTEM, code: 'ai-incorrect', display: 'AI advice incorrect' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'not-relevant', display: 'Not relevant to this patient' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'unsafe-suggestion', display: 'Unsafe suggestion' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'already-addressed', display: 'Already addressed' },
];

export interface FindingContext {
  readonly deployment: string;
  readonly modelVersion: string;
  /** `Patient/id` of the subject, for resources a suggestion creates. */
  readonly patientRef: string;
  readonly vocabulary: DrugVocabulary;
}

const CLAIM_WORDS = { rise: 'rose', fall: 'fell', overdue: 'is overdue' } as const;

function detailOf(item: GuardedItem, model: string): string {
  const what = isInsightKind(item.kind) ? '**AI-generated insight**' : '**AI-generated advice**';
  return [
    what + md` (${model}, prompt ${PROMPT_VERSION}). Not a validated rule: check it before acting.`,
    md`${item.detail}`,
    '**The advice rests on:**\n' + bulletList(item.cited.map((t) => md`${t.label}`)),
    item.claim
      ? md`**Checked by the service:** the results sent show the value ${CLAIM_WORDS[item.claim.change]}, as the model says.`
      : '',
    md`**The model's own stated certainty: ${item.certainty}.** This is the model's statement, not a validated probability.`,
  ]
    .filter((part) => part.trim().length > 0)
    .join('\n\n');
}

function suggestionOf(suggestion: GuardedSuggestion, patientRef: string): FindingSuggestion {
  switch (suggestion.kind) {
    case 'cancel-draft': {
      // Named by the order's own text: the audit keeps no label for it (its delete action says what it did).
      const name = suggestion.draft.medication?.concept.text ?? suggestion.draft.label;
      return {
        label: `Cancel draft order: ${name} (AI suggestion)`,
        actions: [
          {
            type: 'delete',
            description: `Cancel the draft order for ${name} (AI-suggested)`,
            resourceId: suggestion.draft.ref,
          },
        ],
      };
    }
    case 'order-lab':
      // The display is the guard's, from our allow-list: the label is ours to keep.
      return {
        label: `Order ${suggestion.display} (AI suggestion)`,
        labelIsOurs: true,
        actions: [
          {
            type: 'create',
            description: `Order ${suggestion.display} (AI-suggested monitoring)`,
            resource: {
              resourceType: 'ServiceRequest',
              meta: { security: [{ ...AIAST_LABEL }] },
              status: 'draft',
              intent: 'proposal',
              category: [
                {
                  coding: [
                    { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' },
                  ],
                },
              ],
              code: { coding: [{ system: LOINC, code: suggestion.loinc, display: suggestion.display }] },
              subject: { reference: patientRef },
            },
          },
        ],
      };
    case 'service-request':
      return {
        label: `${suggestion.display} (AI suggestion)`,
        labelIsOurs: true,
        actions: [
          {
            type: 'create',
            description: `Propose: ${suggestion.display} (AI-suggested)`,
            resource: {
              resourceType: 'ServiceRequest',
              meta: { security: [{ ...AIAST_LABEL }] },
              status: 'draft',
              intent: 'proposal',
              code: { coding: [{ system: SNOMED, code: suggestion.code, display: suggestion.display }] },
              subject: { reference: patientRef },
            },
          },
        ],
      };
  }
}

export function findingOf(item: GuardedItem | CheckedItem, context: FindingContext): Finding {
  const model = `${context.deployment}/${context.modelVersion}`;
  const checked = 'claimEvidence' in item ? item.claimEvidence : [];
  const evidence = [...new Set([...item.cited.map((t) => t.ref), ...checked])];
  const suggestions = item.suggestion ? [suggestionOf(item.suggestion, context.patientRef)] : undefined;
  return {
    advisor: 'model',
    model,
    promptVersion: PROMPT_VERSION,
    key: modelFindingKey(item.kind, item.cited, evidence, context.vocabulary, item.claim),
    severity: item.severity,
    summary: item.summary,
    detail: detailOf(item, model),
    evidence,
    source: { label: modelSourceLabel(context.modelVersion) },
    ...(suggestions && { suggestions, selectionBehavior: 'at-most-one' as const }),
    overrideReasons: MODEL_OVERRIDE_REASONS,
  };
}
