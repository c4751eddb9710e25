/**
 * What each kind of rule finding is called on a card and which override reasons it offers, in our own code
 * systems: the card's topic and the reasons a clinician picks from when overriding it.
 */
import type { Coding } from '../../cds/types.js';
import type { FindingKind } from '../../findings/keys.js';

export const OVERRIDE_REASON_SYSTEM = 'https://cds-advisor.dev/CodeSystem/override-reason';
export const FINDING_KIND_SYSTEM = 'https://cds-advisor.dev/CodeSystem/finding-kind';

const reason = (code: string, display: string): Coding => ({ system: OVERRIDE_REASON_SYSTEM, code, display });

const OVERRIDE_REASONS: Readonly<Record<FindingKind, readonly Coding[]>> = {
  interaction: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('patient-tolerates', 'Patient already tolerates this combination'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  duplicate: [
    reason('intended-transition', 'Intended switch, taper or dose change'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  allergy: [
    reason('patient-tolerates', 'Patient has tolerated this drug before'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Allergy record not applicable'),
  ],
  condition: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  renal: [
    reason('dose-adjusted', 'Dose already adjusted for kidney function'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  lab: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  monitoring: [
    reason('monitored-elsewhere', 'Monitored elsewhere'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  pregnancy: [
    reason('not-pregnant', 'Patient is not pregnant'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  lactation: [
    reason('not-breastfeeding', 'Patient is not breastfeeding'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  pediatric: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  geriatric: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('patient-tolerates', 'Long-standing, tolerated; reviewed'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  dose: [
    reason('dose-intended', 'Dose intended and reviewed'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'data-gap': [
    reason('checked-elsewhere', 'Checked by other means'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  trend: [
    reason('known-and-followed', 'Known and being followed'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  aki: [
    reason('known-and-followed', 'Known and being managed'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'care-gap': [
    reason('known-and-followed', 'Known; recorded elsewhere'),
    reason('will-monitor', 'Will repeat the test'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'monitoring-overdue': [
    reason('monitored-elsewhere', 'Monitored elsewhere'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
};

const KIND_DISPLAY: Readonly<Record<FindingKind, string>> = {
  interaction: 'Drug interaction',
  duplicate: 'Duplicate therapy',
  allergy: 'Drug allergy',
  condition: 'Drug-condition',
  renal: 'Renal dosing',
  lab: 'Lab-aware check',
  monitoring: 'Missing monitoring',
  pregnancy: 'Pregnancy',
  lactation: 'Breastfeeding',
  pediatric: 'Children',
  geriatric: 'Older adults',
  dose: 'Dose check',
  'data-gap': 'Check not done: data unavailable',
  trend: 'Lab trend',
  aki: 'Acute kidney injury',
  'care-gap': 'Care gap',
  'monitoring-overdue': 'Monitoring overdue',
};

export function overrideReasons(kind: FindingKind): Coding[] {
  return OVERRIDE_REASONS[kind].map((c) => ({ ...c }));
}

/** Every override reason the rules offer, all kinds together (codes repeat across kinds). */
export function allOverrideReasons(): Coding[] {
  return Object.values(OVERRIDE_REASONS).flatMap((reasons) => reasons.map((c) => ({ ...c })));
}

/** The card's topic: the kind of finding, in our own code system. */
export function kindTopic(kind: FindingKind): Coding {
  return { system: FINDING_KIND_SYSTEM, code: kind, display: KIND_DISPLAY[kind] };
}
