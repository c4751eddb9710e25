/**
 * The trusted EHR clients (`TRUSTED_CLIENTS_FILE`, CONTRACT.md "Trusted clients file"), loaded once at start.
 * Anything wrong in the file stops the service with a message naming the entry and the field: a half-understood
 * trust list is worse than none.
 */
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '../config.js';
import { normalizeBaseUrl } from '../fhir/baseUrl.js';
import { validate } from '../validation.js';
import { isLoopbackHostname } from './loopback.js';

export interface TrustedClient {
  readonly iss: string;
  /** The client's JWK Set URL, fetched lazily and cached. */
  readonly jwksUrl?: string;
  /** Inline public keys, tried before any fetched set (`jwksUrl` or the one a `jku` names). */
  readonly jwks?: JSONWebKeySet;
  /** Every URL a token's `jku` may name: `jwks_url` plus `allowed_jku`, normalized by `URL`. */
  readonly allowedJku: readonly string[];
  /** Normalized FHIR base URLs (no trailing slash) this client may send as `fhirServer`. */
  readonly fhirServers: readonly string[];
  readonly tenant?: string;
}

interface RawTrustedClient {
  iss: string;
  jwks_url?: string;
  jwks?: { keys: Array<Record<string, unknown>> };
  allowed_jku?: string[];
  fhir_servers?: string[];
  tenant?: string;
}

/** Private-key members of EC, RSA and OKP JWKs: their presence means someone pasted a private key. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Key-set URLs must be https; plain http only on loopback, where tests and local EHR simulators live. */
function checkKeySetUrl(raw: string, where: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !isLoopbackHostname(url.hostname)) {
    throw new ConfigError(`${where} must use https (got "${raw}"); plain http is accepted only on loopback`);
  }
  return url.href;
}

function toClient(raw: RawTrustedClient, index: number, source: string): TrustedClient {
  const where = `${source}: entry ${index} (iss "${raw.iss}")`;
  if (raw.jwks_url === undefined && raw.jwks === undefined) {
    throw new ConfigError(`${where} needs "jwks_url" or "jwks" to verify its tokens`);
  }
  raw.jwks?.keys.forEach((key, k) => {
    const leaked = PRIVATE_JWK_MEMBERS.filter((m) => m in key);
    if (leaked.length > 0) {
      throw new ConfigError(
        `${where}: jwks.keys[${k}] contains private or symmetric key material (${leaked.join(', ')}); ` +
          'list public keys only',
      );
    }
  });
  const jwksUrl = raw.jwks_url === undefined ? undefined : checkKeySetUrl(raw.jwks_url, `${where}: jwks_url`);
  const allowedJku = (raw.allowed_jku ?? []).map((u, k) => checkKeySetUrl(u, `${where}: allowed_jku[${k}]`));
  const fhirServers = (raw.fhir_servers ?? []).map((u, k) => {
    const normalized = normalizeBaseUrl(u);
    if (!normalized) {
      throw new ConfigError(
        `${where}: fhir_servers[${k}] must be an http(s) base URL without credentials, query or fragment`,
      );
    }
    return normalized;
  });
  return {
    iss: raw.iss,
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    ...(raw.jwks === undefined ? {} : { jwks: raw.jwks }),
    allowedJku: [...new Set(jwksUrl === undefined ? allowedJku : [jwksUrl, ...allowedJku])],
    fhirServers,
    ...(raw.tenant === undefined ? {} : { tenant: raw.tenant }),
  };
}

/** Validates parsed file content; `source` names the file in error messages. Throws `ConfigError`. */
export function parseTrustedClients(data: unknown, source: string): TrustedClient[] {
  const result = validate<RawTrustedClient[]>('trusted-clients', data);
  if (!result.valid) {
    const details = result.errors.map((e) => `${e.path} ${e.message}`).join('; ');
    throw new ConfigError(`${source} is not a valid trusted clients file: ${details}`);
  }
  const seen = new Set<string>();
  return result.value.map((raw, index) => {
    if (seen.has(raw.iss)) {
      throw new ConfigError(
        `${source}: entry ${index} repeats iss "${raw.iss}"; each issuer may appear once`,
      );
    }
    seen.add(raw.iss);
    return toClient(raw, index, source);
  });
}

/** Reads and validates `TRUSTED_CLIENTS_FILE`. Throws `ConfigError` with the file name and the problem. */
export function loadTrustedClients(file: string): TrustedClient[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(`TRUSTED_CLIENTS_FILE ${file} cannot be read (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`TRUSTED_CLIENTS_FILE ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseTrustedClients(data, `TRUSTED_CLIENTS_FILE ${file}`);
}
