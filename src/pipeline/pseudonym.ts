/**
 * Keyed pseudonyms: the audit trail groups cases by patient, and ties an order-sign to the order-select before it
 * (same EHR client, same user), without ever storing a patient id, a user id or a client's name.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ClientIdentity } from '../security/types.js';

export type Pseudonymizer = (patientId: string) => string;

/**
 * An EHR calls the three hooks for the same few charts over and over (the chart opens, orders are picked, signed),
 * and an HMAC costs more than the rest of the audit record: the latest pseudonyms are kept, oldest out first.
 * Only in this process's memory, like the requests themselves; never written anywhere.
 */
export const PSEUDONYM_CACHE_SIZE = 1024;

export function createPseudonymizer(
  key: string | Buffer = randomBytes(32),
  cacheSize = PSEUDONYM_CACHE_SIZE,
): Pseudonymizer {
  const recent = new Map<string, string>();
  return (patientId) => {
    const known = recent.get(patientId);
    if (known !== undefined) return known;
    const pseudonym = createHmac('sha256', key).update(patientId).digest('base64url').slice(0, 22);
    if (recent.size >= cacheSize) recent.delete(recent.keys().next().value as string);
    recent.set(patientId, pseudonym);
    return pseudonym;
  };
}

/*
 * User and client pseudonyms come from the same key, their input tagged so that none can equal a patient's:
 * patient ids are FHIR ids, which hold no `:`.
 */
export function userPseudonym(pseudonymize: Pseudonymizer, userId: string): string {
  return pseudonymize(`user:${userId}`);
}

/** The EHR client and its tenant: the same patient id at two hospitals (or two tenants) is two patients. */
export function clientPseudonym(pseudonymize: Pseudonymizer, client: ClientIdentity): string {
  return pseudonymize(`client:${client.issuer}\n${client.tenant ?? ''}`);
}
