/**
 * A demo patient's chart-open call (`patient-view`): context only, so the service fetches the chart from the demo's
 * FHIR server, as it would from a hospital's.
 */
export const DEMO_CLINICIAN_ID = 'Practitioner/demo-clinician';

export function chartOpenRequest(patientId: string, fhirServer: string): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: crypto.randomUUID(),
    fhirServer,
    context: { userId: DEMO_CLINICIAN_ID, patientId },
  };
}
