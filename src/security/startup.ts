/**
 * Start-up rules for EHR authentication (CONTRACT.md, `TRUSTED_CLIENTS_FILE` and `ALLOW_UNAUTHENTICATED`):
 * with trusted clients every CDS call needs a valid JWT; without any, the service runs unauthenticated only on a
 * loopback HOST or when the operator says so explicitly, and says so loudly; otherwise it refuses to start.
 */
import type { Registry } from 'prom-client';
import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createJwtAuthenticator, type JwksOptions } from './jwt.js';
import { MemoryReplayGuard } from './memoryReplayGuard.js';
import { isLoopbackHostname } from './loopback.js';
import { LayeredReplayGuard, REPLAY_CHECK_BUDGET_SHARE } from './replayGuard.js';
import { loadTrustedClients, type TrustedClient } from './trustedClients.js';
import { type EhrAuthenticator, type ReplayGuard, noAuthentication } from './types.js';

export interface AuthenticatorDeps {
  readonly logger: Logger;
  /**
   * Shared replay store (PostgreSQL with several instances), asked after this instance's own memory and within a
   * share of ADVICE_BUDGET_MS (src/security/replayGuard.ts); without it, the instance's memory alone.
   */
  readonly replayGuard?: ReplayGuard;
  /** Where the replay check counts its degraded checks (the app's /metrics registry). */
  readonly metricsRegistry?: Registry;
  /** Already-loaded clients (tests); otherwise `config.trustedClientsFile` is read. */
  readonly clients?: readonly TrustedClient[];
  readonly algorithms?: readonly string[];
  readonly clockSkewSeconds?: number;
  readonly jwks?: JwksOptions;
}

export interface AuthenticationSetup {
  readonly authenticator: EhrAuthenticator;
  /** `false` in unauthenticated development mode, where every caller is the anonymous client. */
  readonly authenticated: boolean;
  readonly clients: readonly TrustedClient[];
}

/** Applies the start-up rules; throws `ConfigError` with what to do when the service must not start. */
export function setUpAuthentication(
  config: Pick<
    Config,
    | 'host'
    | 'trustedClientsFile'
    | 'allowUnauthenticated'
    | 'jwtMaxLifetimeSeconds'
    | 'jwtClockSkewSeconds'
    | 'publicBaseUrl'
    | 'adviceBudgetMs'
  >,
  deps: AuthenticatorDeps,
): AuthenticationSetup {
  const clients =
    deps.clients ?? (config.trustedClientsFile ? loadTrustedClients(config.trustedClientsFile) : []);
  const { logger } = deps;

  if (clients.length === 0) {
    const loopback = isLoopbackHostname(config.host);
    if (!loopback && !config.allowUnauthenticated) {
      throw new ConfigError(
        `refusing to start: HOST ${config.host} is not a loopback address and no trusted EHR clients are configured. ` +
          'Set TRUSTED_CLIENTS_FILE to a file listing the EHRs allowed to call this service, ' +
          'or set ALLOW_UNAUTHENTICATED=true to accept unauthenticated calls on purpose.',
      );
    }
    logger.warn(
      '!!! AUTHENTICATION DISABLED: no trusted EHR clients, every caller is accepted and may name any fhirServer. ' +
        'For development only; set TRUSTED_CLIENTS_FILE before exposing this service.',
      { host: config.host, reason: loopback ? 'loopback HOST' : 'ALLOW_UNAUTHENTICATED=true' },
    );
    return { authenticator: noAuthentication, authenticated: false, clients };
  }

  if (
    !config.publicBaseUrl.startsWith('https://') &&
    !isLoopbackHostname(new URL(config.publicBaseUrl).hostname)
  ) {
    logger.warn(
      'PUBLIC_BASE_URL is not https: EHR tokens and patient data would cross the network in clear text',
      {
        publicBaseUrl: config.publicBaseUrl,
      },
    );
  }
  const authenticator = createJwtAuthenticator({
    clients,
    maxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    replayGuard: deps.replayGuard
      ? new LayeredReplayGuard({
          shared: deps.replayGuard,
          waitMs: Math.floor(config.adviceBudgetMs * REPLAY_CHECK_BUDGET_SHARE),
          logger,
          ...(deps.metricsRegistry ? { metricsRegistry: deps.metricsRegistry } : {}),
        })
      : new MemoryReplayGuard(100_000, logger),
    logger,
    ...(deps.algorithms ? { algorithms: deps.algorithms } : {}),
    clockSkewSeconds: deps.clockSkewSeconds ?? config.jwtClockSkewSeconds,
    ...(deps.jwks ? { jwks: deps.jwks } : {}),
  });
  logger.info('ehr authentication enabled', { trustedClients: clients.map((c) => c.iss) });
  return { authenticator, authenticated: true, clients };
}
