/** patient-view-advice: when a chart opens, review what the patient already takes. */
import type { ServiceModule } from '../src/cds/service.js';
import { HISTORY_KEYS, PREFETCH_TEMPLATES } from './prefetch.js';

export const patientViewAdvice: ServiceModule<'patient-view'> = {
  definition: {
    id: 'patient-view-advice',
    hook: 'patient-view',
    title: 'Medication safety review',
    description:
      "Reviews the patient's active medications against their problems, allergies and recent labs when the chart " +
      'opens: interactions already present, renal dose issues and missing monitoring.',
    usageRequirements:
      'Needs read access to the patient, active medications, conditions, allergies and labs.',
    prefetch: PREFETCH_TEMPLATES,
    historyPrefetch: HISTORY_KEYS,
    requiredPrefetch: ['patient', 'medications'],
    minSeverity: 'info',
  },
  focus: (patient) => patient.activeMedications,
};
