/**
 * Suggestions that are real FHIR actions: delete the reviewed draft, replace it with a safer alternative, order a
 * monitoring lab, or — for a drug the patient already takes, on chart review — hold or stop its order (an
 * `update` carrying the whole MedicationRequest as sent, as CDS Hooks requires).
 */
import type { MedicationRequest, ServiceRequest } from 'fhir/r4.js';
import { LOINC, RXNORM, SNOMED } from '../../clinical/types.js';
import type { FindingAction, FindingSuggestion, Severity } from '../../findings/types.js';
import { isSafeAlternative } from './alternatives.js';
import { clip, lowerName } from './cardText.js';
import { isReviewedDraft, type ResolvedMed, type RuleContext } from './context.js';
import type { Alternative, KnowledgeBase } from './knowledge.js';
import type { OrderableLab } from './knowledgeFiles.js';

function deleteDraft(rm: ResolvedMed, name: string): FindingAction {
  return { type: 'delete', description: `Remove the draft order for ${name}`, resourceId: rm.med.ref };
}

function replacementOrder(
  kb: KnowledgeBase,
  ctx: RuleContext,
  ingredient: string,
  replaced: string,
): FindingAction {
  const ing = kb.ingredients.get(ingredient);
  const name = ing?.name ?? ingredient;
  const code = ing?.rxcui[0];
  const resource: MedicationRequest = {
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: ctx.patient.patient.ref },
    medicationCodeableConcept: {
      ...(code && { coding: [{ system: RXNORM, code, display: name }] }),
      text: name,
    },
    note: [{ text: `Proposed by CDS Advisor in place of ${replaced}. Choose dose, route and frequency.` }],
  };
  return { type: 'create', description: `Draft an order for ${name} instead of ${replaced}`, resource };
}

function labOrder(ctx: RuleContext, lab: OrderableLab): FindingAction {
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'order',
    category: [{ coding: [{ system: SNOMED, code: '108252007', display: 'Laboratory procedure' }] }],
    code: { coding: [{ system: LOINC, code: lab.loinc, display: lab.display }], text: lab.display },
    subject: { reference: ctx.patient.patient.ref },
  };
  return { type: 'create', description: `Order ${lab.display} (LOINC ${lab.loinc})`, resource };
}

/** The active MedicationRequest as sent, with a new status: nothing else of the order is touched. */
function statusUpdate(
  rm: ResolvedMed,
  status: 'on-hold' | 'stopped',
  reason: string,
  description: string,
): FindingAction | undefined {
  const sent = rm.med.resource;
  if (!sent || sent.resourceType !== 'MedicationRequest') return undefined;
  const resource = { ...sent, status, statusReason: { text: reason } } as unknown as MedicationRequest;
  return { type: 'update', description, resource };
}

export interface SuggestionPlan {
  /** The meds this finding is about; only reviewed drafts among them get remove/replace suggestions. */
  readonly meds: readonly ResolvedMed[];
  readonly alternatives?: readonly Alternative[];
  readonly labs?: readonly OrderableLab[];
  /** Ingredients the replacement must not be (the other drug of the pair, the allergen…). */
  readonly avoid?: ReadonlySet<string>;
  readonly recommendRemoval?: boolean;
  /**
   * On chart review (patient-view), the finding's severity: a warning offers to hold each active order it is
   * about, a critical finding offers to stop it. Info findings offer no such action.
   */
  readonly holdOrStop?: { readonly severity: Severity; readonly reason: string };
}

function medName(ctx: RuleContext, rm: ResolvedMed): string {
  return rm.ingredients.map((i) => lowerName(ctx.kb, i)).join('/') || clip(rm.med.concept.text, 60);
}

/**
 * The label, also as the audit's own when the drug is named from the knowledge base; an order we could not resolve
 * is named by the chart's text, which the audit never keeps.
 */
function labelled(
  rm: ResolvedMed | undefined,
  label: string,
): Pick<FindingSuggestion, 'label' | 'labelIsOurs'> {
  return rm === undefined || rm.ingredients.length > 0 ? { label, labelIsOurs: true } : { label };
}

/** Remove or replace each reviewed draft, hold or stop active orders, order monitoring labs. */
export function suggestionsFor(ctx: RuleContext, plan: SuggestionPlan): FindingSuggestion[] {
  const { kb } = ctx;
  const out: FindingSuggestion[] = [];
  for (const rm of plan.meds) {
    if (isReviewedDraft(ctx, rm)) {
      const name = medName(ctx, rm);
      for (const alt of plan.alternatives ?? []) {
        if (!rm.ingredients.some((i) => alt.replaces.has(i)) || plan.avoid?.has(alt.with)) continue;
        if (!isSafeAlternative(ctx, alt.with, rm)) continue;
        out.push({
          ...labelled(rm, `Replace ${name} with ${lowerName(kb, alt.with)}`),
          actions: [deleteDraft(rm, name), replacementOrder(kb, ctx, alt.with, name)],
        });
      }
      out.push({
        ...labelled(rm, `Remove the draft order for ${name}`),
        ...(plan.recommendRemoval && { isRecommended: true }),
        actions: [deleteDraft(rm, name)],
      });
    } else if (plan.holdOrStop && ctx.review.hook === 'patient-view' && rm.med.origin === 'active') {
      const name = medName(ctx, rm);
      const { severity, reason } = plan.holdOrStop;
      const action =
        severity === 'critical'
          ? statusUpdate(rm, 'stopped', `CDS Advisor: ${reason}`, `Stop the order for ${name}`)
          : severity === 'warning'
            ? statusUpdate(rm, 'on-hold', `CDS Advisor: ${reason}`, `Put the order for ${name} on hold`)
            : undefined;
      if (action) out.push({ ...labelled(rm, action.description), actions: [action] });
    }
  }
  for (const lab of plan.labs ?? []) {
    out.push({ ...labelled(undefined, `Order ${lab.display}`), actions: [labOrder(ctx, lab)] });
  }
  return out;
}
