/**
 * Who made a change through the admin API, for the durable record: never the secret itself, only a short
 * SHA-256 fingerprint of the bearer token or of the dashboard session id. An operator who knows the tokens can
 * tell which one was used (`echo -n TOKEN | sha256sum | cut -c1-12`); nobody can recover a token from it.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

const fingerprint = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Call after the audit auth middleware accepted the request. */
export function actorOf(req: Request, res: Response, sessionCookie: string): string {
  // A label set by the auth layer (e.g. a named token) wins over what can be derived here.
  const label = res.locals.auditActor as unknown;
  if (typeof label === 'string' && label.length > 0) return label.slice(0, 200);
  const token = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
  if (token) return `token:${fingerprint(token)}`;
  const session = cookie(req, sessionCookie);
  return session ? `session:${fingerprint(session)}` : 'unknown';
}
