/** Keyed pseudonyms: the audit trail groups cases by patient without ever storing a patient id. */
import { createHmac, randomBytes } from 'node:crypto';

export type Pseudonymizer = (patientId: string) => string;

export function createPseudonymizer(key: string | Buffer = randomBytes(32)): Pseudonymizer {
  return (patientId) => createHmac('sha256', key).update(patientId).digest('base64url').slice(0, 22);
}
