/**
 * Prefetch templates shared by our three services (contract: same keys everywhere). They stay inside the spec's
 * recommended query subset: instance reads, type searches by reference, token equality, `_count`, `_sort`.
 * https://cds-hooks.hl7.org/2.0/#prefetch-query-restrictions
 */
import type { PrefetchKey } from '../src/cds/types.js';

export const PREFETCH_TEMPLATES: Readonly<Record<PrefetchKey, string>> = {
  patient: 'Patient/{{context.patientId}}',
  medications: 'MedicationRequest?patient=Patient/{{context.patientId}}&status=active&_count=100',
  conditions:
    'Condition?patient=Patient/{{context.patientId}}&clinical-status=http://terminology.hl7.org/CodeSystem/condition-clinical|active&_count=100',
  allergies: 'AllergyIntolerance?patient=Patient/{{context.patientId}}&_count=100',
  labs: 'Observation?patient=Patient/{{context.patientId}}&category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory&_sort=-date&_count=100',
};
