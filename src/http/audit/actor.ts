/**
 * Who made a change through the admin API, for the durable record: never the secret itself, only a short
 * SHA-256 fingerprint of the bearer token or of the dashboard session id. An operator who knows the tokens can
 * tell which one was used (`echo -n TOKEN | sha256sum | cut -c1-12`); nobody can recover a token from it.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { readCookie } from '../routes/auditAuth.js';

const fingerprint = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);

/** Call after the audit auth middleware accepted the request. */
export function actorOf(req: Request, sessionCookie: string): string {
  const token = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
  if (token) return `token:${fingerprint(token)}`;
  const session = readCookie(req, sessionCookie);
  return session ? `session:${fingerprint(session)}` : 'unknown';
}
