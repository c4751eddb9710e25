/**
 * Findings → CDS Hooks cards: uuids for every card and suggestion, the contract's provenance extension, and
 * outgoing validation against `schemas/cds-response` — a card the spec would reject is dropped, never sent.
 */
import { randomUUID } from 'node:crypto';
import { cardUuid } from './cardUuid.js';
import type { Finding } from '../findings/types.js';
import { suggestionSummary } from '../findings/suggestionSummary.js';
import { type Card, PROVENANCE_EXTENSION, type Provenance, type Suggestion } from '../cds/types.js';
import type { CardRecord } from '../store/types.js';
import { validate } from '../validation.js';
import type { ErrorDetail } from '../errors.js';

export interface BuiltCards {
  readonly cards: Card[];
  readonly records: CardRecord[];
  readonly dropped: { readonly finding: Finding; readonly errors: readonly ErrorDetail[] }[];
}

function provenanceOf(finding: Finding): Provenance {
  const provenance: Provenance = { advisor: finding.advisor, evidence: [...finding.evidence] };
  if (finding.ruleId) provenance.ruleId = finding.ruleId;
  if (finding.model) provenance.model = finding.model;
  if (finding.promptVersion) provenance.promptVersion = finding.promptVersion;
  return provenance;
}

export function cardOf(finding: Finding): Card {
  const card: Card = {
    uuid: cardUuid(),
    summary: finding.summary,
    indicator: finding.severity,
    source: { ...finding.source },
    extension: { [PROVENANCE_EXTENSION]: provenanceOf(finding) },
  };
  if (finding.detail) card.detail = finding.detail;
  if (finding.suggestions?.length) {
    card.suggestions = finding.suggestions.map((s): Suggestion => ({
      label: s.label,
      uuid: randomUUID(),
      ...(s.isRecommended !== undefined && { isRecommended: s.isRecommended }),
      ...(s.actions.length > 0 && { actions: s.actions.map((a) => ({ ...a })) }),
    }));
    card.selectionBehavior = finding.selectionBehavior ?? 'at-most-one';
  }
  if (finding.overrideReasons?.length) card.overrideReasons = finding.overrideReasons.map((c) => ({ ...c }));
  if (finding.links?.length)
    card.links = finding.links.map((l) => ({ label: l.label, url: l.url, type: 'absolute' }));
  return card;
}

function recordOf(
  card: Card,
  finding: Finding,
  serviceId: string,
  hookInstance: string,
  draftOrders: readonly string[],
): CardRecord {
  return {
    uuid: card.uuid,
    serviceId,
    hookInstance,
    advisor: finding.advisor,
    ruleId: finding.ruleId,
    model: finding.model,
    promptVersion: finding.promptVersion,
    indicator: card.indicator,
    summary: card.summary,
    evidence: [...finding.evidence],
    suggestionUuids: (card.suggestions ?? []).map((s) => s.uuid),
    findingKey: finding.key,
    ...(draftOrders.length > 0 && { draftOrders }),
    ...(finding.covers?.length && { covers: [...finding.covers] }),
    // cardOf keeps the finding's suggestions in order, one uuid each.
    ...(card.suggestions?.length && {
      suggestions: card.suggestions.map((s, i) => suggestionSummary(finding.suggestions![i]!, s.uuid)),
    }),
  };
}

export function buildCards(
  findings: readonly Finding[],
  serviceId: string,
  hookInstance: string,
  /** The draft orders each finding concerns, for the audit record (what an override at selection was about). */
  draftOrdersOf: (finding: Finding) => readonly string[] = () => [],
): BuiltCards {
  const built: BuiltCards = { cards: [], records: [], dropped: [] };
  for (const finding of findings) {
    const card = cardOf(finding);
    const result = validate<Card>('cds-response#/definitions/card', card);
    if (!result.valid) {
      built.dropped.push({ finding, errors: result.errors });
      continue;
    }
    built.cards.push(card);
    built.records.push(recordOf(card, finding, serviceId, hookInstance, draftOrdersOf(finding)));
  }
  return built;
}
