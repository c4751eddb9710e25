/**
 * An EHR of the benchmarks' own: an ES384 key pair, the trusted-clients entry naming its public key inline, and
 * CDS Hooks client JWTs (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients) for a given audience.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';

export const BENCH_ISSUER = 'https://ehr.bench.example';
const KID = 'bench-key-1';

export interface BenchEhr {
  /** Writes the trusted clients file into `dir` and returns its path. */
  writeTrustedClients(dir: string): string;
  /** A fresh token for `aud` (the public base URL plus the path called), with a new `jti` unless one is given. */
  token(aud: string, jti?: string): Promise<string>;
}

export async function createBenchEhr(): Promise<BenchEhr> {
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES384', use: 'sig' };
  const key: CryptoKey = privateKey;
  return {
    writeTrustedClients(dir) {
      const file = path.join(dir, 'trusted-clients.json');
      writeFileSync(file, JSON.stringify([{ iss: BENCH_ISSUER, jwks: { keys: [jwk] } }], null, 2));
      return file;
    },
    token(aud, jti = randomUUID()) {
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: KID })
        .setIssuer(BENCH_ISSUER)
        .setSubject('bench-client')
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('240s')
        .setJti(jti)
        .sign(key);
    },
  };
}
