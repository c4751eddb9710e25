/**
 * The minimum necessary, de-identified picture the model sees. Built only from the typed fields of the normalized
 * PatientContext, never from raw FHIR, and no string the EHR sent goes into it: any string field of a chart —
 * a coding's display, a unit, a status, a sig, a note — can carry a name, an identifier or an instruction, and
 * no filter recognises every one. What leaves instead:
 * - names from our own tables only (the rules' knowledge base for drugs, allergy classes and the conditions the
 *   rules check; `names.ts` for labs, common problems and routes), whatever the chart's words were; a concept
 *   we have no name for goes nameless, with its codes;
 * - codes of public terminologies in their exact syntax (`codes.ts`), the one value the chart's string itself is
 *   sent for;
 * - statuses, criticality, category, comparator and interpretation only when they are codes of their FHIR value
 *   set (our constant is sent); units only when they are UCUM units we recognise (our spelling is sent);
 * - numbers (lab and vital-sign values, dose, frequency, period), relative times ("3 days ago", or a number of
 *   days ago for the points of a series), age in years ("90+" from 90, HIPAA Safe Harbor), sex, and opaque aliases
 *   (M1 active medication, D1 draft order, P1 problem, A1 allergy, L1 lab series, V1 vital-sign series) that the
 *   alias map, which stays in the service, maps back.
 * Beside the data, the question (`ModelQuestion`): the hook's name and which medications it asks about, by alias —
 * both ours; they go in the task message, not the data block.
 * The prompt still puts the data in a delimited JSON block, never among instructions.
 */
import type { HookName } from '../../cds/types.js';
import { asMember } from '../../clinical/guards.js';
import { isNotAFact } from '../../clinical/records.js';
import type {
  Allergy,
  Concept,
  Dosage,
  LabResult,
  Medication,
  PatientContext,
} from '../../clinical/types.js';
import { ucumUnit } from '../../clinical/units.js';
import {
  ALLERGY_CATEGORY,
  ALLERGY_CLINICAL_STATUS,
  ALLERGY_CRITICALITY,
  ALLERGY_VERIFICATION_STATUS,
  CONDITION_CLINICAL_STATUS,
  CONDITION_VERIFICATION_STATUS,
  MEDICATION_REQUEST_STATUS,
  MEDICATION_STATEMENT_STATUS,
  QUANTITY_COMPARATOR,
} from '../../clinical/valueSets.js';
import { type ModelCode, publicCodes } from './codes.js';
import { conditionNameByCode, labName, routeName, vitalName } from './names.js';
import { LAB_SERIES_BOUNDS, type Series, type SeriesPoint, seriesOf, VITAL_SERIES_BOUNDS } from './series.js';

export type { ModelCode } from './codes.js';

export type AliasKind = 'active-medication' | 'draft-order' | 'problem' | 'allergy' | 'lab' | 'vital';

/** What an alias stands for. Stays in the service; only `alias` is ever sent. */
export interface AliasTarget {
  readonly alias: string;
  readonly kind: AliasKind;
  /** `ResourceType/id` for the finding's evidence. */
  readonly ref: string;
  /** Words a clinician recognises, from their own chart; shown escaped on the card, never sent to the model. */
  readonly label: string;
  readonly medication?: Medication;
  /** For a lab or vital-sign series: what it measures (`potassium`, `egfr`, `hba1c`, `loinc:…`). */
  readonly analyte?: string;
  /** For a series: its results as sent, most recent first (`ref` is the latest one's). */
  readonly series?: readonly SeriesPoint[];
}

interface Named {
  readonly alias: string;
  /** Our name for it; null when our tables have none (the model is told not to guess). */
  readonly name: string | null;
  readonly codes: readonly ModelCode[];
}

/** The structured parts of a dosage instruction: numbers, a recognised UCUM unit, a unit of time, a named route. */
export interface ModelDosage {
  readonly dose: { readonly value: number; readonly unit: string | null } | null;
  /** `frequency` times per `period` `periodUnit` (UCUM units of time: d, h, wk…). */
  readonly frequency: number | null;
  readonly period: number | null;
  readonly periodUnit: string | null;
  readonly route: string | null;
  readonly asNeeded: boolean | null;
}

export interface ModelMedication extends Named {
  readonly status: string | null;
  /** Null when the order has no structured dosage (its free-text sig is never sent). */
  readonly dosage: ModelDosage | null;
  readonly ordered: string | null;
}

export interface ModelProblem extends Named {
  readonly clinicalStatus: string | null;
  readonly verificationStatus: string | null;
}

export interface ModelAllergy extends Named {
  readonly clinicalStatus: string | null;
  readonly verificationStatus: string | null;
  readonly criticality: string | null;
  readonly category: readonly string[];
}

/** One result of a series: a number, and when as a number of days before now. */
export interface ModelResult {
  readonly value: number | null;
  readonly comparator: string | null;
  readonly daysAgo: number | null;
  readonly interpretation: string | null;
}

/** A measure over time (one lab analyte, or one vital sign), most recent result first. */
export interface ModelSeries extends Named {
  readonly unit: string | null;
  readonly results: readonly ModelResult[];
}

/** What the hook asks about this picture: sent in the task message. */
export interface ModelQuestion {
  /** The CDS hook that asks (our constant). */
  readonly hook: HookName;
  /** Aliases of the medications the hook asks about: selected drafts, every draft, or the active list. */
  readonly underReview: readonly string[];
}

/** Exactly what is serialized into the prompt's data block (and hashed for the late-advice cache). */
export interface ModelInput {
  readonly patient: { readonly age: number | '90+' | null; readonly sex: string | null };
  readonly activeMedications: readonly ModelMedication[];
  readonly draftOrders: readonly ModelMedication[];
  readonly problems: readonly ModelProblem[];
  readonly allergies: readonly ModelAllergy[];
  readonly labs: readonly ModelSeries[];
  /** Weight, height, blood pressure… when the EHR sent vital signs. */
  readonly vitals: readonly ModelSeries[];
  /** Data the service could not obtain: unknown, not normal. */
  readonly missingData: readonly string[];
}

export interface Deidentified {
  readonly input: ModelInput;
  readonly question: ModelQuestion;
  readonly aliases: ReadonlyMap<string, AliasTarget>;
}

/**
 * Names as the rules' knowledge base knows them (`DrugVocabulary` in `keys.ts` adds the rules' pair keys). Every
 * name returned is the knowledge base's own word, never the chart's: these are the only names the model gets
 * for drugs, allergens and the rules' conditions.
 */
export interface OurNames {
  /**
   * Ingredient names of a medication (`warfarin`), the parts of the rules' keys: by RxNorm ingredient code, or
   * recognised (by whole words) in its codings' displays and its text.
   */
  ingredientsOf(medication: Medication): readonly string[];
  /** What an allergy is to: ingredient names and allergy class labels (`penicillins`) found in its concepts. */
  allergenNames(concepts: readonly Concept[]): readonly string[];
  /** The label of a condition the rules check (`heart failure`), when the concept is one. */
  conditionName(concept: Concept): string | undefined;
}

const NO_NAMES: OurNames = {
  ingredientsOf: () => [],
  allergenNames: () => [],
  conditionName: () => undefined,
};

/** Bounds the prompt: a long chart must not blow the token budget (and with it the deadline). */
const LIMITS = { medications: 60, drafts: 30, problems: 60, allergies: 30 } as const;

const MEDICATION_STATUS = [...new Set([...MEDICATION_REQUEST_STATUS, ...MEDICATION_STATEMENT_STATUS])];

/** `value` when it is a code of `valueSet` (our constant), else null. */
function coded(value: unknown, valueSet: readonly string[]): string | null {
  return asMember(value, valueSet) ?? null;
}

function joined(names: readonly string[]): string | null {
  return names.length > 0 ? names.join(' + ') : null;
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

function dosageOf(dosage: Dosage | undefined): ModelDosage | null {
  if (!dosage) return null;
  const { dose, route } = dosage;
  return {
    dose: dose ? { value: dose.value, unit: ucumUnit(dose.unit) ?? null } : null,
    frequency: finite(dosage.frequency),
    period: finite(dosage.period),
    periodUnit: dosage.periodUnit ?? null,
    route: route ? (routeName(route) ?? null) : null,
    asNeeded: dosage.asNeeded ?? null,
  };
}

const DAY_MS = 86_400_000;

/** "3 days ago": what the model needs of a date, without the date. */
export function relativeTime(iso: string | undefined, now: Date): string | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const ms = now.getTime() - at;
  if (ms < -60_000) return 'in the future';
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (ms < 3_600_000) return 'within the last hour';
  if (ms < DAY_MS) return plural(Math.floor(ms / 3_600_000), 'hour');
  const days = Math.floor(ms / DAY_MS);
  if (days < 14) return plural(days, 'day');
  if (days < 60) return plural(Math.floor(days / 7), 'week');
  if (days < 730) return plural(Math.floor(days / 30), 'month');
  return plural(Math.floor(days / 365), 'year');
}

function ageOf(years: number | undefined): number | '90+' | null {
  if (years === undefined || !Number.isFinite(years) || years < 0) return null;
  return years >= 90 ? '90+' : Math.floor(years);
}

function resultLabel(lab: LabResult, now: Date): string {
  const value =
    lab.value === undefined ? '' : ` ${lab.comparator ?? ''}${lab.value}${lab.unit ? ` ${lab.unit}` : ''}`;
  const when = relativeTime(lab.effective, now);
  return `${lab.concept.text}${value}${when ? ` (${when})` : ''}`;
}

/** The latest result in the chart's words, and how much history stands behind it (for the card, never sent). */
function seriesLabel(series: Series, kind: 'lab result' | 'vital sign', now: Date): string {
  const latest = series.points[0]!.result;
  const earlier = series.points.length - 1;
  const oldest = series.points[earlier]!.result;
  const history =
    earlier === 0
      ? ''
      : `; ${earlier} earlier result${earlier === 1 ? '' : 's'} back to ${relativeTime(oldest.effective, now) ?? 'an unknown time'}`;
  return `${resultLabel(latest, now)}${history} (${kind})`;
}

/**
 * Builds the model's input and the alias map for one review. Pure and deterministic for the same context.
 * `names`: the knowledge base's names; without them, drugs, allergies and the rules' conditions go nameless.
 */
export function deidentify(context: PatientContext, names: OurNames = NO_NAMES): Deidentified {
  const aliases = new Map<string, AliasTarget>();
  const add = (prefix: string, index: number, target: Omit<AliasTarget, 'alias'>): string => {
    const alias = `${prefix}${index + 1}`;
    aliases.set(alias, { alias, ...target });
    return alias;
  };
  const now = context.now;

  const medications = (list: readonly Medication[], prefix: 'M' | 'D', limit: number): ModelMedication[] =>
    list.slice(0, limit).map((m, i) => ({
      alias: add(prefix, i, {
        kind: prefix === 'D' ? 'draft-order' : 'active-medication',
        ref: m.ref,
        label: `${m.concept.text} (${prefix === 'D' ? 'draft order' : 'active medication'})`,
        medication: m,
      }),
      name: joined(names.ingredientsOf(m)),
      codes: publicCodes([...m.concept.codings, ...m.ingredients.flatMap((c) => c.codings)]),
      status: coded(m.status, MEDICATION_STATUS),
      dosage: dosageOf(m.dosage),
      ordered: relativeTime(m.authoredOn, now),
    }));

  const allergy = (a: Allergy, i: number): ModelAllergy => {
    const concepts = [a.concept, ...(a.reactionSubstances ?? [])];
    return {
      alias: add('A', i, {
        kind: 'allergy',
        ref: a.ref,
        label: `${a.concept.text} (allergy or intolerance)`,
      }),
      name: joined(names.allergenNames(concepts)),
      codes: publicCodes(concepts.flatMap((c) => c.codings)),
      clinicalStatus: coded(a.clinicalStatus, ALLERGY_CLINICAL_STATUS),
      verificationStatus: coded(a.verificationStatus, ALLERGY_VERIFICATION_STATUS),
      criticality: coded(a.criticality, ALLERGY_CRITICALITY),
      category: [...new Set(a.category.flatMap((c) => asMember(c, ALLERGY_CATEGORY) ?? []))],
    };
  };

  const series = (
    list: readonly Series[],
    prefix: 'L' | 'V',
    name: (result: LabResult) => string | undefined,
  ): ModelSeries[] =>
    list.map((one, i) => {
      const latest = one.points[0]!.result;
      const kind = prefix === 'L' ? 'lab' : 'vital';
      return {
        alias: add(prefix, i, {
          kind,
          ref: latest.ref,
          label: seriesLabel(one, prefix === 'L' ? 'lab result' : 'vital sign', now),
          ...(one.measure && { analyte: one.measure }),
          series: one.points,
        }),
        name: name(latest) ?? null,
        codes: publicCodes(latest.concept.codings),
        unit: ucumUnit(latest.unit) ?? null,
        results: one.points.map((p) => ({
          value: p.value,
          comparator: coded(p.result.comparator, QUANTITY_COMPARATOR),
          daysAgo: p.daysAgo,
          interpretation: p.result.interpretation ?? null,
        })),
      };
    });

  const activeMedications = medications(context.activeMedications, 'M', LIMITS.medications);
  const draftOrders = medications(context.draftOrders, 'D', LIMITS.drafts);
  const underReview = (
    context.hook === 'patient-view'
      ? activeMedications
      : draftOrders.filter((d) => context.hook === 'order-sign' || aliases.get(d.alias)?.medication?.selected)
  ).map((m) => m.alias);

  const input: ModelInput = {
    patient: { age: ageOf(context.patient.ageYears), sex: context.patient.sex ?? null },
    activeMedications,
    draftOrders,
    problems: context.problems
      .filter((p) => !isNotAFact(p))
      .slice(0, LIMITS.problems)
      .map((p, i) => ({
        alias: add('P', i, { kind: 'problem', ref: p.ref, label: `${p.concept.text} (problem)` }),
        name: names.conditionName(p.concept) ?? conditionNameByCode(p.concept) ?? null,
        codes: publicCodes(p.concept.codings),
        clinicalStatus: coded(p.clinicalStatus, CONDITION_CLINICAL_STATUS),
        verificationStatus: coded(p.verificationStatus, CONDITION_VERIFICATION_STATUS),
      })),
    allergies: context.allergies
      .filter((a) => !isNotAFact(a))
      .slice(0, LIMITS.allergies)
      .map(allergy),
    labs: series(seriesOf(context.labs, now, LAB_SERIES_BOUNDS), 'L', labName),
    vitals: series(seriesOf(context.vitals ?? [], now, VITAL_SERIES_BOUNDS), 'V', vitalName),
    missingData: [...context.missing],
  };
  return { input, question: { hook: context.hook, underReview }, aliases };
}
