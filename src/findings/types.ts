/**
 * What an advisor finds, in one shape for the rules and the model: the domain type the advisors produce, the
 * pipeline merges and `src/cards` turns into cards. Below every one of them; it knows no card wire format.
 */
import type { FhirResource } from 'fhir/r4.js';
import type { Coding } from '../cds/types.js';

/** Who found it: the built-in rules or the model. */
export type AdvisorName = 'rules' | 'model';
export type Severity = 'info' | 'warning' | 'critical';

export type FindingAction =
  | { readonly type: 'create'; readonly description: string; readonly resource: FhirResource }
  | { readonly type: 'update'; readonly description: string; readonly resource: FhirResource }
  | { readonly type: 'delete'; readonly description: string; readonly resourceId: string };

export interface FindingSuggestion {
  readonly label: string;
  /**
   * Set by the builder only when `label` is made of our own words and names from our own tables, never the chart's
   * text: the audit may then keep it (`suggestionSummary.ts`). Absent: the audit keeps no label.
   */
  readonly labelIsOurs?: true;
  readonly isRecommended?: boolean;
  readonly actions: readonly FindingAction[];
}

export interface FindingLink {
  readonly label: string;
  readonly url: string;
}

export interface Finding {
  readonly advisor: AdvisorName;
  /** Rules: the knowledge entry or rule that fired. */
  readonly ruleId?: string;
  /** Model: deployment/model version and prompt version. */
  readonly model?: string;
  readonly promptVersion?: string;
  /**
   * Identity of the finding for de-duplication and merging, e.g. `interaction:warfarin|ibuprofen`. Two findings
   * with the same key say the same thing; the rules' one wins.
   */
  readonly key: string;
  /**
   * Keys of the narrower concerns this finding speaks for (one card for a drug with several interactions covers each
   * pair's key): a model finding with one of these keys folds into this card, as if it had the same key.
   */
  readonly covers?: readonly string[];
  readonly severity: Severity;
  /** One sentence under 140 characters. */
  readonly summary: string;
  /** GitHub-flavoured markdown, built with `src/findings/markdown.ts` so chart text is never interpreted. */
  readonly detail: string;
  /** `ResourceType/id` of every resource the finding rests on. Never empty. */
  readonly evidence: readonly string[];
  readonly source: { readonly label: string; readonly url?: string; readonly topic?: Coding };
  readonly suggestions?: readonly FindingSuggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly Coding[];
  readonly links?: readonly FindingLink[];
}
