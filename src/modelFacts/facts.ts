/**
 * The model fact sheet (`GET /model-facts`, `/model-facts.json`): what a clinician or a safety committee needs to
 * judge AI advice, after the ONC HTI-1 source attributes for decision support interventions — who made it and what
 * it is for, what it sees and never sees, how it was validated, its limits, and where it is on. Everything here is
 * public: it comes from the configuration (never a key, never the endpoint's host), the audit (the model that last
 * answered) and the stored evaluation report. No PHI: nothing about any patient is read.
 */
import { readFile } from 'node:fs/promises';
import type { AiMode } from '../advisors/types.js';
import { PROMPT_VERSION } from '../advisors/model/prompt.js';
import { NEVER_SENT } from '../advisors/model/transparency.js';
import { modelEndpointOf } from '../advisors/model/gateway/index.js';
import type { AuditReader } from '../store/read/port.js';
import type { Config } from '../config.js';
import { type EndpointKind, KIND_FACTS } from '../modelEndpoint.js';

export interface ServiceMode {
  readonly id: string;
  readonly title: string | null;
  readonly mode: AiMode;
}

export interface EvalFigure {
  readonly label: string;
  readonly value: string;
}

export type EvaluationFacts =
  | {
      readonly onRecord: true;
      readonly date: string;
      readonly model: string | null;
      readonly note: string | null;
      readonly figures: readonly EvalFigure[];
    }
  | { readonly onRecord: false; readonly statement: 'no evaluation on record' };

export interface ModelFacts {
  readonly title: string;
  readonly generatedAt: string;
  readonly developer: string;
  readonly model: {
    readonly configured: boolean;
    /** The deployment (azure-openai) or model name as configured. */
    readonly deployment: string | null;
    readonly endpointKind: EndpointKind | null;
    readonly endpoint: string | null;
    readonly apiVersion: string | null;
    readonly promptVersion: string;
    /** The model version the API reported on the most recent answer on record, and when. */
    readonly lastAnswered: {
      readonly modelVersion: string;
      readonly deployment: string;
      readonly promptVersion: string;
      readonly at: string;
    } | null;
  };
  readonly intendedUse: readonly string[];
  /** HTI-1: intended users, patient population, the intervention's role in the decision, and what it outputs. */
  readonly intendedUsers: string;
  readonly intendedPatients: string;
  readonly decisionRole: string;
  readonly output: string;
  readonly outOfScope: readonly string[];
  readonly sees: readonly string[];
  readonly neverSees: readonly string[];
  readonly safeguards: readonly string[];
  readonly limitations: readonly string[];
  readonly evaluation: EvaluationFacts;
  readonly services: readonly ServiceMode[];
  readonly modes: Readonly<Record<AiMode, string>>;
}

const INTENDED_USE = [
  'Second-look medication safety advice for a prescribing clinician, inside the EHR, at chart open (patient-view), when orders are selected (order-select) and before they are signed (order-sign).',
  'It points out drug interactions, allergy conflicts, contraindications given problems or labs, dosing concerns for age or kidney function, duplicate therapy and needed monitoring, beside the built-in rules.',
  'Every AI card is advice for a clinician to check: it never acts by itself, is never a hard stop (AI cards are at most warnings), and any order it suggests is a draft proposal the clinician must accept.',
];

const OUT_OF_SCOPE = [
  'Diagnosis, triage or treatment decisions without a clinician.',
  'Patients or users outside the EHR (no patient-facing use).',
  'Paediatric and neonatal dosing, pregnancy and lactation decisions, oncology protocols: not evaluated.',
  'Anything beyond the data listed under "What the model sees" (imaging, notes, genomics, device data).',
  'Replacing pharmacist review or the validated rules: where a rule fires, the rule’s card is shown.',
];

const SEES = [
  'Age in years (90 and over as "90+") and sex.',
  'Active medications and draft orders: names from our own drug tables, public codes (RxNorm, ATC, SNOMED CT), status, structured dose, frequency and route.',
  'Problems and allergies: names from our tables, public codes, clinical and verification status, criticality.',
  'Recent laboratory results: our names, LOINC codes, values with UCUM units, relative times ("2 weeks ago"), interpretation codes.',
  'Which of this data the service could not obtain (so it is treated as unknown, not normal).',
  'Opaque aliases (M1, D1, P1, A1, L1) instead of record ids; the aliases are mapped back inside the service.',
];

const SAFEGUARDS = [
  'A hard deadline per hook: advice that comes late is not shown for that hook (it may serve the next one on the same data, and the card says so).',
  'Output validated against a schema; every item must cite data of this request, or it is dropped.',
  'Links, urgency the item may not claim, and "stop everything" advice are removed or dropped; AI items are never critical, and low-certainty items are information only.',
  'Suggestions limited to cancelling a cited draft order or ordering a lab from a monitoring list; a created resource carries the AIAST security label and its own Provenance.',
  'Per-service switch: off, shadow (asked and audited, never shown) or on; every change is recorded with who and when.',
  'Every AI card is reconstructable from the audit: the de-identified input as sent, the item as returned, the guards’ decisions, model and prompt versions.',
];

const LIMITATIONS = [
  'A general-purpose language model: its statements can be wrong or incomplete, and its stated certainty is its own statement, not a validated probability.',
  'It does not see free text, so anything recorded only in notes or dosage instructions is invisible to it.',
  'Drug, problem and lab names come from our tables: an item we have no name for is sent as codes only, and the model is told not to guess.',
  'Only the most recent labs (up to 40) and a bounded number of medications and problems are sent for long charts.',
  'It answers within the hook budget or not at all; under load or when the endpoint fails, only the rules answer.',
  'Its evaluation covers the scenario sets on record (below): performance on other populations is unknown.',
];

const MODES: Readonly<Record<AiMode, string>> = {
  off: 'The model is not asked; the built-in rules answer alone.',
  shadow:
    'The model is asked and its advice is recorded in the audit for the safety team, never shown to clinicians.',
  on: 'AI cards are shown to clinicians, labelled as AI-generated.',
};

function percent(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : undefined;
}

/** Figures from the report `npm run eval` writes: the model's own scores where present, and the case count. */
function figuresOf(report: Record<string, unknown>): EvalFigure[] {
  if (Array.isArray(report.figures)) {
    return (report.figures as unknown[])
      .filter(
        (f): f is { label: string; value: unknown } => typeof (f as { label?: unknown })?.label === 'string',
      )
      .map((f) => ({ label: f.label.slice(0, 200), value: String(f.value).slice(0, 200) }));
  }
  const out: EvalFigure[] = [];
  const totals = report.totals as Record<string, unknown> | undefined;
  if (typeof totals?.cases === 'number') out.push({ label: 'Cases replayed', value: String(totals.cases) });
  const model = (report.byAdvisor as Record<string, Record<string, unknown>> | undefined)?.model;
  if (model) {
    const recall = percent(model.recall);
    if (recall) out.push({ label: 'Model: expected findings found (recall)', value: recall });
    for (const key of ['found', 'missed', 'falseAlarms'] as const) {
      if (typeof model[key] === 'number') out.push({ label: `Model: ${key}`, value: String(model[key]) });
    }
  }
  const all = percent(totals?.recall);
  if (all) out.push({ label: 'Rules and model together: recall', value: all });
  return out;
}

/** The latest stored evaluation report, or "no evaluation on record" when there is none (or it cannot be read). */
export async function evaluationOnRecord(file: string): Promise<EvaluationFacts> {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return { onRecord: false, statement: 'no evaluation on record' };
  }
  const date = typeof report.generatedAt === 'string' ? report.generatedAt : undefined;
  if (!date || Number.isNaN(Date.parse(date)))
    return { onRecord: false, statement: 'no evaluation on record' };
  return {
    onRecord: true,
    date,
    model: typeof report.model === 'string' ? report.model.slice(0, 300) : null,
    note: typeof report.note === 'string' ? report.note.slice(0, 500) : null,
    figures: figuresOf(report),
  };
}

export interface FactSources {
  readonly config: Config;
  readonly reader: AuditReader | undefined;
  readonly services: () => Promise<readonly ServiceMode[]>;
  readonly now?: Date;
}

export async function modelFacts(sources: FactSources): Promise<ModelFacts> {
  const endpoint = modelEndpointOf(sources.config);
  const [last, evaluation, services] = await Promise.all([
    sources.reader ? sources.reader.lastModelAnswer() : null,
    evaluationOnRecord(sources.config.evalReportFile),
    sources.services(),
  ]);
  return {
    title: 'CDS Advisor AI: model fact sheet',
    generatedAt: (sources.now ?? new Date()).toISOString(),
    developer:
      'CDS Advisor (open source); deployed and operated by the organisation running this service, on its own Azure AI Foundry endpoint.',
    model: {
      configured: endpoint !== undefined,
      deployment: endpoint?.model ?? null,
      endpointKind: endpoint?.kind ?? null,
      endpoint: endpoint ? KIND_FACTS[endpoint.kind].title : null,
      apiVersion: endpoint?.apiVersion ?? null,
      promptVersion: PROMPT_VERSION,
      lastAnswered: last,
    },
    intendedUse: INTENDED_USE,
    intendedUsers:
      'Prescribing clinicians (physicians, advanced practice providers, pharmacists) working in the EHR.',
    intendedPatients:
      'Adults with active medications, draft medication orders, problems, allergies and recent labs in the EHR.',
    decisionRole:
      'Informs: a second look beside the built-in rules; the clinician decides, and every suggestion needs their acceptance.',
    output:
      'Recommendations: advice items (interaction, allergy, contraindication, dose, duplication, monitoring), each citing the data it rests on, with the model’s own stated certainty and at most one suggestion.',
    outOfScope: OUT_OF_SCOPE,
    sees: SEES,
    neverSees: [...NEVER_SENT],
    safeguards: SAFEGUARDS,
    limitations: LIMITATIONS,
    evaluation,
    services,
    modes: MODES,
  };
}
