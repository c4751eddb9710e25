/**
 * Typed configuration, read once from the environment and validated at start.
 * Every key is documented in README.md ("Configuration") with its env name and default.
 */
import path from 'node:path';
import {
  type AzureOpenAIConfig,
  DEFAULT_AZURE_OPENAI_API_VERSION,
  loadBudgets,
  loadModelEndpoint,
  ModelEndpointError,
  type ModelEndpointConfig,
} from './modelEndpoint.js';

export { DEFAULT_AZURE_OPENAI_API_VERSION };
export type { AzureOpenAIConfig, ModelEndpointConfig };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly adviceBudgetMs: number;
  readonly bodyLimitBytes: number;
  readonly corsOrigins: readonly string[] | '*';
  readonly logLevel: string;
  readonly trustedClientsFile: string | undefined;
  readonly allowUnauthenticated: boolean;
  readonly auditTokens: readonly string[];
  readonly auditRetentionDays: number | undefined;
  readonly pseudonymKey: string | undefined;
  readonly azureOpenAI: AzureOpenAIConfig | undefined;
  /** The model gateway's endpoint (MODEL_*): any Azure AI Foundry endpoint kind. */
  readonly modelEndpoint: ModelEndpointConfig | undefined;
  /** MODEL_MAX_INSIGHT_CARDS: the model's insight cards (trend, care gap, treatment, differential) per call at most. */
  readonly modelMaxInsightCards: number;
  /** ADVICE_BUDGET_MS per service id, where it differs from ADVICE_BUDGET_MS. */
  readonly adviceBudgetMsByService: Readonly<Record<string, number>>;
  /** Upper bound on searchset pages followed per prefetch key. */
  readonly prefetchMaxPages: number;
  readonly jwtMaxLifetimeSeconds: number;
  /** Clock difference tolerated on JWT `exp`/`iat`/`nbf`. */
  readonly jwtClockSkewSeconds: number;
  /** CDS requests per minute per authenticated EHR (per IP when unauthenticated); 0 turns rate limiting off. */
  readonly rateLimitPerMinute: number;
  /** Concurrent reads per FHIR server (by origin), across all hook calls of this instance. */
  readonly fhirMaxConcurrency: number;
  /** Largest FHIR response body read (each searchset page on its own); a larger one is cut off, unread. */
  readonly fhirMaxResponseBytes: number;
  /**
   * Express `trust proxy`: which proxies' X-Forwarded-For to believe when finding the client IP (rate limits).
   * `false` (direct), a hop count, or addresses/subnets/`loopback`/`uniquelocal`.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** AUDIT_BEFORE_ANSWER: each hook answer waits (within its deadline) for its audit record to be written. */
  readonly auditBeforeAnswer: boolean;
  /** TLS_CERT_FILE / TLS_KEY_FILE: serve HTTPS natively (PEM files); undefined: plain HTTP (behind an ingress). */
  readonly tls: TlsFiles | undefined;
  /** EVAL_REPORT: the JSON `npm run eval` writes (default ./reports/eval/eval.json); the fact sheet shows it. */
  readonly evalReportFile: string;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

function urlVar(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got "${url.protocol}")`);
  }
  return raw.replace(/\/+$/, '');
}

/** TRUST_PROXY: unset/false → false; an integer → that many hops; otherwise a list of addresses or subnets. */
function trustProxyVar(env: Env): boolean | number | string[] {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  // `true` would believe any X-Forwarded-For, letting every client pick its own rate-limit key.
  if (raw.toLowerCase() === 'true') {
    throw new ConfigError(
      'TRUST_PROXY=true would trust any client; give a hop count or the proxy addresses/subnets',
    );
  }
  return listVar(env, 'TRUST_PROXY');
}

function listVar(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The audit tokens open the audit trail and the AI kill switch: too long to guess, whatever the throttle lets by. */
export const MIN_AUDIT_TOKEN_LENGTH = 32;

/** Throws a `ConfigError` naming the first AUDIT_TOKENS entry that is too short (by position, never its value). */
export function checkAuditTokens(tokens: readonly string[]): void {
  tokens.forEach((token, i) => {
    if (token.length < MIN_AUDIT_TOKEN_LENGTH) {
      // Says which entry and how long, never the token itself: this message goes to the console.
      throw new ConfigError(
        `AUDIT_TOKENS entry ${i + 1} is ${token.length} characters long; each token must be at least ` +
          `${MIN_AUDIT_TOKEN_LENGTH} characters (a random one: openssl rand -hex 32)`,
      );
    }
  });
}

/** Both TLS files or neither: half a TLS setup would silently serve plain HTTP. */
function tlsVar(env: Env): TlsFiles | undefined {
  const certFile = env.TLS_CERT_FILE?.trim() || undefined;
  const keyFile = env.TLS_KEY_FILE?.trim() || undefined;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    throw new ConfigError(
      `${certFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'} is required when ${certFile ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} is set`,
    );
  }
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

export function loadConfig(env: Env = process.env): Config {
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const tls = tlsVar(env);
  const publicBaseUrl =
    urlVar(env, 'PUBLIC_BASE_URL', ['http:', 'https:']) ??
    `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const corsList = listVar(env, 'CORS_ORIGINS');
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const retentionRaw = env.AUDIT_RETENTION_DAYS?.trim();

  const endpoint = urlVar(env, 'AZURE_OPENAI_ENDPOINT', ['https:', 'http:']);
  let azureOpenAI: AzureOpenAIConfig | undefined;
  if (endpoint) {
    const deployment = env.AZURE_OPENAI_DEPLOYMENT?.trim();
    if (!deployment)
      throw new ConfigError('AZURE_OPENAI_DEPLOYMENT is required when AZURE_OPENAI_ENDPOINT is set');
    azureOpenAI = {
      endpoint,
      deployment,
      apiKey: env.AZURE_OPENAI_API_KEY?.trim() || undefined,
      apiVersion: env.AZURE_OPENAI_API_VERSION?.trim() || DEFAULT_AZURE_OPENAI_API_VERSION,
    };
  }

  // The model gateway (MODEL_*) and per-service budgets: their parsing lives with the endpoint kinds.
  let modelEndpoint: ModelEndpointConfig | undefined;
  let adviceBudgetMsByService: Readonly<Record<string, number>>;
  try {
    modelEndpoint = loadModelEndpoint(env);
    adviceBudgetMsByService = loadBudgets(env, 100, 60000);
  } catch (error) {
    throw error instanceof ModelEndpointError ? new ConfigError(error.message) : error;
  }
  const auditTokens = listVar(env, 'AUDIT_TOKENS');
  checkAuditTokens(auditTokens);

  return {
    port,
    host,
    publicBaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    adviceBudgetMs: intVar(env, 'ADVICE_BUDGET_MS', 2000, 100, 60000),
    bodyLimitBytes: intVar(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 50 * 1024 * 1024),
    corsOrigins: corsList.length === 0 || corsList.includes('*') ? '*' : corsList,
    logLevel,
    trustedClientsFile: env.TRUSTED_CLIENTS_FILE?.trim() || undefined,
    allowUnauthenticated: boolVar(env, 'ALLOW_UNAUTHENTICATED', false),
    auditTokens,
    auditRetentionDays: retentionRaw ? intVar(env, 'AUDIT_RETENTION_DAYS', 0, 1, 36500) : undefined,
    pseudonymKey: env.PSEUDONYM_KEY?.trim() || undefined,
    azureOpenAI,
    modelEndpoint,
    modelMaxInsightCards: intVar(env, 'MODEL_MAX_INSIGHT_CARDS', 2, 0, 5),
    adviceBudgetMsByService,
    prefetchMaxPages: intVar(env, 'PREFETCH_MAX_PAGES', 5, 1, 100),
    jwtMaxLifetimeSeconds: intVar(env, 'JWT_MAX_LIFETIME_SECONDS', 300, 30, 3600),
    jwtClockSkewSeconds: intVar(env, 'JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
    rateLimitPerMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    fhirMaxConcurrency: intVar(env, 'FHIR_MAX_CONCURRENCY', 16, 1, 1000),
    fhirMaxResponseBytes: intVar(env, 'FHIR_MAX_RESPONSE_BYTES', 4 * 2 ** 20, 64 * 2 ** 10, 64 * 2 ** 20),
    trustProxy: trustProxyVar(env),
    auditBeforeAnswer: boolVar(env, 'AUDIT_BEFORE_ANSWER', false),
    tls,
    // Like DATA_DIR, relative to where the service starts: where `npm run eval` writes in a checkout; a container
    // mounts one and sets EVAL_REPORT (none: the fact sheet says "no evaluation on record").
    evalReportFile: path.resolve(env.EVAL_REPORT?.trim() || 'reports/eval/eval.json'),
  };
}
