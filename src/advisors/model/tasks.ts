/**
 * One task prompt per hook. Patient-view opens the chart: the model's own lane, asking for what a specialist
 * would add (trends, care gaps, treatment considerations, differential considerations) beside the medication
 * review. Order-select and order-sign name the drafts under review by alias and allow concerns that rest on a lab
 * or a problem; both ask about every draft (the ones under review first), so one answer serves either hook (the
 * late-advice cache: order-select's late answer is order-sign's at once) and the guards keep, per hook, what
 * concerns its drafts. Only our constants and aliases go in here, never chart text.
 */
import type { HookName } from '../../cds/types.js';
import type { ModelQuestion } from './deidentify.js';
import { MONITORING_LABS } from './monitoringLabs.js';
import { SERVICE_REQUESTS } from './serviceRequests.js';

const listed = (table: Readonly<Record<string, string>>): string =>
  Object.entries(table)
    .map(([code, display]) => `${code} ${display}`)
    .join('; ');

const ALLOWED = [
  `Allowed labs to order (LOINC): ${listed(MONITORING_LABS)}.`,
  `Allowed follow-ups and referrals (SNOMED CT): ${listed(SERVICE_REQUESTS)}.`,
];

const PATIENT_VIEW = [
  'Hook: patient-view. The clinician has just opened this chart; no order is being written.',
  'Read it as a specialist would and add what the chart alone does not say:',
  '- trend: a lab or vital sign moving over time (kind "trend", with a claim naming the series);',
  '- care-gap: a result that suggests a condition missing from the problem list, or monitoring that is overdue',
  '  for a medication or problem (kind "care-gap"; an overdue claim names the series);',
  '- treatment: a treatment consideration for an active problem, given the labs and medications (kind',
  '  "treatment");',
  '- differential: what an abnormal result could point to (kind "differential").',
  'Also report significant problems with the active medications (interactions, allergies, contraindications,',
  'dosing for age or organ function, duplicates, monitoring). Each item cites the data it rests on: labs,',
  'vitals, problems or medications.',
];

function orderTask(hook: 'order-select' | 'order-sign', underReview: readonly string[]): string[] {
  const drafts = underReview.length > 0 ? underReview.join(', ') : 'none';
  return [
    hook === 'order-select'
      ? `Hook: order-select. The clinician has just selected these draft orders: ${drafts}.`
      : `Hook: order-sign. The clinician is about to sign these draft orders: ${drafts}.`,
    'Check every draft order, these first, against the patient: active medications, the other drafts,',
    'allergies, problems, labs and vitals. A concern may rest on a lab or a problem (a high potassium with a',
    'drug that raises it): cite those and set about to the draft it concerns. Report only concerns about draft',
    'orders.',
  ];
}

const TASKS: Readonly<Record<HookName, (question: ModelQuestion) => string[]>> = {
  'patient-view': () => PATIENT_VIEW,
  'order-select': (question) => orderTask('order-select', question.underReview),
  'order-sign': (question) => orderTask('order-sign', question.underReview),
};

export function taskPrompt(question: ModelQuestion): string {
  return [...TASKS[question.hook](question), ...ALLOWED].join('\n');
}

/**
 * Which answers can stand in for each other: one per chart review, one for every order hook (both ask about every
 * draft). Part of the late-advice cache key.
 */
export function lane(question: ModelQuestion): 'chart' | 'orders' {
  return question.hook === 'patient-view' ? 'chart' : 'orders';
}
