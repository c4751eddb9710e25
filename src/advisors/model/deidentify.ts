/**
 * The minimum necessary, de-identified picture the model sees. Built only from the typed fields of the normalized
 * PatientContext, never from raw FHIR, so names, identifiers, addresses, telecom, birth dates, narrative `text`
 * and notes cannot reach it by construction. Resource ids become opaque aliases (M1 active medication, D1 draft
 * order, P1 problem, A1 allergy, L1 lab); the alias map stays in the service and maps the model's citations back.
 *
 * Free text typed by a clinician (a CodeableConcept's `text`, a dosage sig) can carry anything, a name included,
 * and no filter recognises every name. So:
 * - a concept is named by the displays and codes of its public-terminology codings (RxNorm, LOINC, SNOMED CT,
 *   ICD-10 …): terminology, not free text;
 * - a concept's own `text`, and the displays of local code systems (written in-house), are never sent. When a
 *   concept has no public coding (a text-only or locally coded medication or allergy), only the drug names a
 *   recognizer (the rules' name index) finds in its texts are sent (`nameSource: 'recognized-in-free-text'`);
 *   otherwise the name is withheld and the model is told so;
 * - a dosage sig is sent only when every word is in a small sig vocabulary (numbers, units, frequencies);
 * - dates become relative ("3 days ago"); ages of 90 and over become "90+" (HIPAA Safe Harbor).
 * Strings that are sent stay data: the prompt puts them in a delimited JSON block, never among instructions.
 */
import type { Code, Concept, LabResult, Medication, PatientContext } from '../../clinical/types.js';
import { LOINC, RXNORM, SNOMED } from '../../clinical/types.js';

export type AliasKind = 'active-medication' | 'draft-order' | 'problem' | 'allergy' | 'lab';

/** What an alias stands for. Stays in the service; only `alias` is ever sent. */
export interface AliasTarget {
  readonly alias: string;
  readonly kind: AliasKind;
  /** `ResourceType/id` for the finding's evidence. */
  readonly ref: string;
  /** Words a clinician recognises, from their own chart; shown escaped on the card, never sent to the model. */
  readonly label: string;
  readonly medication?: Medication;
  /** For a lab the rules reason about (potassium, creatinine, inr …): which one. */
  readonly analyte?: string;
}

export interface ModelCode {
  readonly system: string;
  readonly code: string;
}

export type NameSource = 'coding' | 'recognized-in-free-text' | 'withheld';

interface Named {
  readonly alias: string;
  readonly name: string | null;
  readonly nameSource: NameSource;
  readonly codes: readonly ModelCode[];
}

export interface ModelMedication extends Named {
  readonly status: string | null;
  readonly dosage: string | null;
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
  /** Coded reaction substances (often more precise than the allergy's own code), by display. */
  readonly reactionSubstances: readonly string[];
}

export interface ModelLab extends Named {
  readonly value: number | null;
  readonly comparator: string | null;
  readonly unit: string | null;
  readonly when: string | null;
  readonly interpretation: string | null;
}

/** Exactly what is serialized into the prompt's data block (and hashed for the late-advice cache). */
export interface ModelInput {
  readonly patient: { readonly age: number | '90+' | null; readonly sex: string | null };
  readonly activeMedications: readonly ModelMedication[];
  readonly draftOrders: readonly ModelMedication[];
  readonly problems: readonly ModelProblem[];
  readonly allergies: readonly ModelAllergy[];
  readonly labs: readonly ModelLab[];
  /** Data the service could not obtain: unknown, not normal. */
  readonly missingData: readonly string[];
}

export interface Deidentified {
  readonly input: ModelInput;
  readonly aliases: ReadonlyMap<string, AliasTarget>;
}

export interface DeidentifyOptions {
  /**
   * Finds known drug names in free text (e.g. the rules' ingredient table). Only the names it returns are sent
   * for an uncoded concept; without it, uncoded names are withheld.
   */
  readonly recognizeDrugNames?: (text: string) => readonly string[];
}

/** Bounds the prompt: a long chart must not blow the token budget (and with it the deadline). */
const LIMITS = { medications: 60, drafts: 30, problems: 60, allergies: 30, labs: 40 } as const;
const MAX_DISPLAY = 100;

/** Public terminologies only: a local code system's URI or codes could identify the institution or patient. */
const PUBLIC_SYSTEMS: Readonly<Record<string, string>> = {
  [RXNORM]: 'RxNorm',
  [LOINC]: 'LOINC',
  [SNOMED]: 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://hl7.org/fhir/sid/ndc': 'NDC',
  'http://www.whocc.no/atc': 'ATC',
  'http://fdasis.nlm.nih.gov': 'UNII',
};

const CODE_VALUE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/;
/** FHIR status/criticality/category codes and short interpretation words; anything else is not a code. */
const STATUS_VALUE = /^[A-Za-z][A-Za-z -]{0,29}$/;
const UNIT_VALUE = /^[A-Za-z0-9%{}[\]/.*^_\- ]{1,30}$/;

function clean(text: string, max = MAX_DISPLAY): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, max)
  );
}

function statusValue(value: string | undefined): string | null {
  return value !== undefined && STATUS_VALUE.test(value) ? value : null;
}

function codesOf(codings: readonly Code[]): ModelCode[] {
  const out: ModelCode[] = [];
  for (const c of codings) {
    const system = c.system ? PUBLIC_SYSTEMS[c.system] : undefined;
    if (system && c.code && CODE_VALUE.test(c.code)) out.push({ system, code: c.code });
  }
  return out;
}

function nameOf(
  concept: Concept,
  options: DeidentifyOptions,
): { name: string | null; nameSource: NameSource } {
  const displays: string[] = [];
  for (const c of concept.codings) {
    // Displays of public terminologies only: a local code system's display is written in-house, like free text.
    const display = c.display && c.system && PUBLIC_SYSTEMS[c.system] ? clean(c.display) : '';
    if (display && !displays.some((d) => d.toLowerCase() === display.toLowerCase())) displays.push(display);
  }
  if (displays.length > 0) return { name: displays.join(' / '), nameSource: 'coding' };
  if (options.recognizeDrugNames) {
    const texts = [concept.text, ...concept.codings.flatMap((c) => (c.display ? [c.display] : []))];
    const found = texts.flatMap((t) => options.recognizeDrugNames?.(t) ?? []);
    const names = [...new Set(found.map((n) => clean(n, 60).toLowerCase()))].filter((n) => n.length > 0);
    if (names.length > 0) return { name: names.join(' + '), nameSource: 'recognized-in-free-text' };
  }
  return { name: null, nameSource: 'withheld' };
}

/** A product is named by its own codings, else by its ingredients' (a Medication resource with no product code). */
function medicationNameOf(
  m: Medication,
  options: DeidentifyOptions,
): { name: string | null; nameSource: NameSource } {
  const own = nameOf(m.concept, options);
  if (own.nameSource !== 'withheld' || m.ingredients.length === 0) return own;
  const parts = m.ingredients.map((i) => nameOf(i, options)).filter((n) => n.name !== null);
  if (parts.length === 0) return own;
  const nameSource = parts.every((p) => p.nameSource === 'coding') ? 'coding' : 'recognized-in-free-text';
  return { name: parts.map((p) => p.name).join(' + '), nameSource };
}

/** Records that are not facts (FHIR verificationStatus) are left out rather than risk advice built on them. */
const NOT_A_FACT = new Set(['entered-in-error', 'refuted']);

/** Sig words that carry dosing and nothing else. A sig with any other word is withheld whole. */
const SIG_WORDS = new Set(
  (
    'take takes give apply inhale inject instill use chew dissolve insert spray ' +
    'tablet tablets tab tabs capsule capsules cap caps pill pills puff puffs drop drops patch patches unit units ' +
    'dose doses spoon teaspoon tablespoon vial ampule application ' +
    'mg mcg ug g gram grams mg/kg ml l mmol meq iu % ' +
    'by mouth oral orally po sublingual sl iv im sc subcut subcutaneous subcutaneously intravenous intravenously ' +
    'intramuscular topical topically rectal rectally vaginal inhaled nasal nebulized transdermal ' +
    'once twice three four times a an the per every each daily day days weekly week weeks monthly month hour hours ' +
    'hourly minute minutes morning evening night nightly bedtime noon ' +
    'qd od bd bid tid qid qhs qam qpm qod q4h q6h q8h q12h q24h prn stat ac pc hs ' +
    'as needed required directed for to at with without before after and or then in on of ' +
    'food meals meal water breakfast lunch dinner supper empty stomach pain nausea fever sleep ' +
    'one two three four five six half quarter up max maximum not exceed more than initial initially then ' +
    'continue until'
  ).split(/\s+/),
);
const SIG_NUMBER = /^\d{1,4}(?:[.,]\d{1,3})?(?:-\d{1,4}(?:[.,]\d{1,3})?)?(?:mg|mcg|g|ml|units?|iu|%|x|h)?$/;

/** The sig when it is made only of dosing words and small numbers; otherwise null (withheld). */
export function safeDosage(text: string | undefined): string | null {
  if (!text) return null;
  const sig = clean(text, 200);
  if (sig.length === 0 || sig.length > 120) return null;
  const tokens = sig
    .toLowerCase()
    .split(/[\s,;()]+/)
    .filter((t) => t.length > 0);
  const ok = tokens.every(
    (t) => SIG_WORDS.has(t) || SIG_NUMBER.test(t) || SIG_WORDS.has(t.replace(/\.$/, '')),
  );
  return ok ? sig : null;
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

function labLabel(lab: LabResult, now: Date): string {
  const value =
    lab.value === undefined ? '' : ` ${lab.comparator ?? ''}${lab.value}${lab.unit ? ` ${lab.unit}` : ''}`;
  const when = relativeTime(lab.effective, now);
  return `${lab.concept.text}${value}${when ? ` (${when})` : ''}`;
}

/** An uncoded lab the normalizer recognised (e.g. "K+" as potassium) is named by its analyte. */
function labNameOf(
  lab: LabResult,
  options: DeidentifyOptions,
): { name: string | null; nameSource: NameSource } {
  const own = nameOf(lab.concept, options);
  return own.nameSource === 'withheld' && lab.analyte
    ? { name: lab.analyte, nameSource: 'recognized-in-free-text' }
    : own;
}

function mostRecentFirst(a: LabResult, b: LabResult): number {
  return (Date.parse(b.effective ?? '') || 0) - (Date.parse(a.effective ?? '') || 0);
}

/** Builds the model's input and the alias map for one review. Pure and deterministic for the same context. */
export function deidentify(context: PatientContext, options: DeidentifyOptions = {}): Deidentified {
  const aliases = new Map<string, AliasTarget>();
  const add = (prefix: string, index: number, target: Omit<AliasTarget, 'alias'>): string => {
    const alias = `${prefix}${index + 1}`;
    aliases.set(alias, { alias, ...target });
    return alias;
  };
  const now = context.now;

  const medications = (list: readonly Medication[], prefix: 'M' | 'D', limit: number): ModelMedication[] =>
    list.slice(0, limit).map((m, i) => {
      const kind: AliasKind = prefix === 'D' ? 'draft-order' : 'active-medication';
      const alias = add(prefix, i, {
        kind,
        ref: m.ref,
        label: `${m.concept.text} (${prefix === 'D' ? 'draft order' : 'active medication'})`,
        medication: m,
      });
      return {
        alias,
        ...medicationNameOf(m, options),
        codes: codesOf([...m.concept.codings, ...m.ingredients.flatMap((i) => i.codings)]),
        status: statusValue(m.status),
        dosage: safeDosage(m.dosageText),
        ordered: relativeTime(m.authoredOn, now),
      };
    });

  const input: ModelInput = {
    patient: { age: ageOf(context.patient.ageYears), sex: context.patient.sex ?? null },
    activeMedications: medications(context.activeMedications, 'M', LIMITS.medications),
    draftOrders: medications(context.draftOrders, 'D', LIMITS.drafts),
    problems: context.problems
      .filter((p) => !NOT_A_FACT.has(p.verificationStatus ?? ''))
      .slice(0, LIMITS.problems)
      .map((p, i) => ({
        alias: add('P', i, { kind: 'problem', ref: p.ref, label: `${p.concept.text} (problem)` }),
        ...nameOf(p.concept, options),
        codes: codesOf(p.concept.codings),
        clinicalStatus: statusValue(p.clinicalStatus),
        verificationStatus: statusValue(p.verificationStatus),
      })),
    allergies: context.allergies
      .filter((a) => !NOT_A_FACT.has(a.verificationStatus ?? ''))
      .slice(0, LIMITS.allergies)
      .map((a, i) => ({
        alias: add('A', i, {
          kind: 'allergy',
          ref: a.ref,
          label: `${a.concept.text} (allergy or intolerance)`,
        }),
        ...nameOf(a.concept, options),
        codes: codesOf(a.concept.codings),
        clinicalStatus: statusValue(a.clinicalStatus),
        verificationStatus: statusValue(a.verificationStatus),
        criticality: statusValue(a.criticality),
        category: a.category.filter((c) => STATUS_VALUE.test(c)),
        reactionSubstances: (a.reactionSubstances ?? []).flatMap((c) => {
          const { name, nameSource } = nameOf(c, {});
          return nameSource === 'coding' && name ? [name] : [];
        }),
      })),
    labs: [...context.labs]
      .sort(mostRecentFirst)
      .slice(0, LIMITS.labs)
      .map((l, i) => ({
        alias: add('L', i, {
          kind: 'lab',
          ref: l.ref,
          label: `${labLabel(l, now)} (lab result)`,
          ...(l.analyte && { analyte: l.analyte }),
        }),
        ...labNameOf(l, options),
        codes: codesOf(l.concept.codings),
        value: l.value !== undefined && Number.isFinite(l.value) ? l.value : null,
        comparator: l.comparator && /^(<|<=|>=|>)$/.test(l.comparator) ? l.comparator : null,
        unit: l.unit && UNIT_VALUE.test(l.unit) ? l.unit : null,
        when: relativeTime(l.effective, now),
        interpretation: statusValue(l.interpretation),
      })),
    missingData: [...context.missing],
  };
  return { input, aliases };
}
