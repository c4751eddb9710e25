/**
 * The development EHR identity: an ES384 key pair that signs CDS Hooks JWTs the way an EHR does, kept in a
 * git-ignored folder (`.demo/` by default) and created on first use. Its public half goes into the demo's
 * trusted-clients file; the private half never leaves this machine and never belongs in production.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type JWK, exportJWK, generateKeyPair } from 'jose';
import { PROJECT_ROOT } from '../../src/paths.js';

/** The file format `npm run fire` and `npm run token` sign with (`CDS_KEY_FILE` may name another one). */
export interface EhrIdentity {
  /** The JWT `iss`, matched exactly against the trusted-clients entry. */
  readonly iss: string;
  readonly kid: string;
  readonly alg: 'ES384' | 'RS384';
  /** The private key as a JWK. */
  readonly privateJwk: JWK;
}

export const DEMO_DIR = path.join(PROJECT_ROOT, '.demo');
export const DEV_ISSUER = 'https://dev-ehr.cds-advisor.invalid';
const IDENTITY_FILE = 'ehr-identity.json';
const AUDIT_TOKEN_FILE = 'audit-token';

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Reads an identity file, or says what is wrong with it. */
export function readIdentity(file: string): EhrIdentity {
  let data: Partial<EhrIdentity>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Partial<EhrIdentity>;
  } catch (error) {
    throw new Error(`${file} is not a readable identity file (${(error as Error).message})`);
  }
  if (!data.iss || !data.kid || (data.alg !== 'ES384' && data.alg !== 'RS384') || !data.privateJwk?.d) {
    throw new Error(`${file} needs "iss", "kid", "alg" (ES384 or RS384) and "privateJwk" (a private JWK)`);
  }
  return data as EhrIdentity;
}

/** The development identity in `dir`, created with a fresh key pair when missing. */
export async function ensureDevIdentity(
  dir: string = DEMO_DIR,
): Promise<{ identity: EhrIdentity; created: boolean }> {
  const file = path.join(dir, IDENTITY_FILE);
  if (existsSync(file)) return { identity: readIdentity(file), created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `dev-${randomBytes(6).toString('hex')}`;
  const identity: EhrIdentity = {
    iss: DEV_ISSUER,
    kid,
    alg: 'ES384',
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES384', use: 'sig' },
  };
  writePrivate(file, `${JSON.stringify(identity, null, 2)}\n`);
  return { identity, created: true };
}

/** The public JWK of an identity: the private members dropped. */
export function publicJwkOf(identity: EhrIdentity): JWK {
  const { kty, crv, x, y, n, e } = identity.privateJwk;
  const members = Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined);
  return { ...Object.fromEntries(members), kid: identity.kid, alg: identity.alg, use: 'sig' };
}

/** The identity file `npm run fire` / `npm run token` use: `CDS_KEY_FILE`, else the demo's, if there is one. */
export function identityFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CDS_KEY_FILE) return path.resolve(env.CDS_KEY_FILE);
  const demo = path.join(DEMO_DIR, IDENTITY_FILE);
  return existsSync(demo) ? demo : undefined;
}

/** The dashboard's token for the demo: generated once, kept beside the identity. */
export function ensureDemoAuditToken(dir: string = DEMO_DIR): string {
  const file = path.join(dir, AUDIT_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writePrivate(file, `${token}\n`);
  return token;
}
