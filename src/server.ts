/**
 * Composition root: builds the app's dependencies from the config, listens, and stops gracefully
 * (stop accepting, finish in-flight requests, flush the audit queue, close the store).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SERVICES } from '../hooks/index.js';
import { createModelAdvisor, knowledgeVocabulary } from './advisors/model/index.js';
import { KnowledgeError, createRulesAdvisor, loadKnowledge } from './advisors/rules/index.js';
import type { Advisor } from './advisors/types.js';
import { createRegistry } from './cds/registry.js';
import { type Config, ConfigError, type TlsFiles } from './config.js';
import { type App, type AppDeps, createApp } from './http/app.js';
import { processLoopLag } from './timing/loopLag.js';
import { createPseudonymizer } from './pipeline/pseudonym.js';
import { requiredReadReserve } from './prefetch/priority.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { applyServerTimeouts } from './http/middleware/limits.js';
import { ConcurrencyLimit } from './timing/concurrencyLimit.js';
import { createAuditTokenVerifier } from './security/auditTokens.js';
import { createAuditAuth } from './http/routes/auditAuth.js';
import { checkFhirServer } from './security/ssrf.js';
import { isLoopbackHostname } from './security/loopback.js';
import { type AuthenticationSetup, setUpAuthentication } from './security/startup.js';
import type { EhrAuthenticator } from './security/types.js';
import { openStore } from './store/sqlStore.js';
import type { Store } from './store/types.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly deps: AppDeps;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** The knowledge base is read and checked once; the model uses its drug names for finding keys. */
function composeAdvisors(config: Config, logger: Logger, metrics: Metrics, store: Store): Advisor[] {
  const knowledge = loadKnowledge();
  if (knowledge instanceof KnowledgeError) throw knowledge;
  const model = createModelAdvisor(config, {
    logger,
    metricsRegistry: metrics.registry,
    drugVocabulary: knowledgeVocabulary(knowledge),
    aiSwitch: { mode: (serviceId) => store.getAiMode(serviceId) },
  });
  return model ? [createRulesAdvisor({ knowledge }), model] : [createRulesAdvisor({ knowledge })];
}

export async function buildDeps(
  config: Config,
  logger: Logger,
  overrides: Partial<AppDeps> = {},
): Promise<AppDeps> {
  const registry = createRegistry(SERVICES);
  const unknownBudget = Object.keys(config.adviceBudgetMsByService).find((id) => !registry.get(id));
  if (unknownBudget) {
    throw new ConfigError(
      `ADVICE_BUDGET_MS_BY_SERVICE names "${unknownBudget}", which is not a service id (${SERVICES.map((s) => s.definition.id).join(', ')})`,
    );
  }
  const metrics = overrides.metrics ?? createMetrics({ defaultMetrics: true });
  // Before the store opens: a token too short stops the start with nothing to undo.
  const auditTokens = createAuditTokenVerifier(config.auditTokens, logger);
  // SQLite under DATA_DIR by default, PostgreSQL when DATABASE_URL is set; tests may pass their own store.
  const store = overrides.store ?? (await openStore(config, { logger, metricsRegistry: metrics.registry }));
  // The rules always; the model when a model endpoint is configured, behind the store's shared kill switch.
  const advisors: readonly Advisor[] = overrides.advisors ?? composeAdvisors(config, logger, metrics, store);
  // Start-up rules: no trusted clients → unauthenticated only on a loopback HOST or with ALLOW_UNAUTHENTICATED.
  // The store remembers JWT ids, so a replay is caught across instances (PostgreSQL) and restarts; while it is down
  // or slow, the instance's own memory still catches a replay to this instance and the hooks keep answering.
  let auth: AuthenticationSetup | undefined;
  try {
    auth = overrides.authenticator
      ? undefined
      : setUpAuthentication(config, { logger, replayGuard: store, metricsRegistry: metrics.registry });
  } catch (error) {
    if (!overrides.store) await store.close();
    throw error;
  }
  // Plain-http FHIR servers only on loopback, and only in development (loopback HOST or no authentication).
  const allowInsecureLoopback = isLoopbackHostname(config.host) || auth?.authenticated === false;
  // One EHR's burst must not flood its FHIR server (nor tie up our sockets): bounded reads per server origin,
  // required prefetch keys' reads ahead of optional ones', some slots kept for them (src/prefetch/priority.ts).
  const fhirLimit = new ConcurrencyLimit(config.fhirMaxConcurrency, {
    lowPriorityReserve: requiredReadReserve(config.fhirMaxConcurrency),
  });
  return {
    config,
    logger,
    metrics,
    registry,
    store,
    advisors,
    authenticator: auth?.authenticator ?? (overrides.authenticator as EhrAuthenticator),
    // The store's key: PSEUDONYM_KEY, or one generated once and kept in the store (stable across restarts).
    pseudonymize: createPseudonymizer(store.pseudonymKey),
    checkFhirServer: (client, url) => checkFhirServer(client, url, { allowInsecureLoopback }),
    fhirGate: (key, signal, task, options) => fhirLimit.run(key, signal, task, options),
    loopLag: overrides.loopLag ?? processLoopLag(),
    auditAuth: createAuditAuth({
      verifier: auditTokens,
      secureCookies: config.publicBaseUrl.startsWith('https:'),
      logger,
      metricsRegistry: metrics.registry,
    }),
    ...overrides,
  };
}

/** The cause of a failed listen, in the words an operator acts on (the port and host, and what to do). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Listens, or rejects with a `ListenError` naming the address and the cause. Express 5 hands a listen error to
 * the callback rather than throwing it: without this check a taken port surfaced as a crash on `server.address()`.
 */
function listen(app: App, host: string, port: number, tls: TlsFiles | undefined): Promise<Server> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  // The PEM files are read once here: a missing or unreadable file stops the start with its variable named.
  const credentials = tls && {
    cert: readTlsFile('TLS_CERT_FILE', tls.certFile),
    key: readTlsFile('TLS_KEY_FILE', tls.keyFile),
  };
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      const code = (error as NodeJS.ErrnoException).code ?? error.name;
      const hint =
        code === 'EADDRINUSE'
          ? `port ${port} is already in use on ${host}: stop the process holding it or set PORT`
          : code === 'EACCES'
            ? `no permission to listen on port ${port}: use a port above 1023 or set PORT`
            : error.message;
      reject(new ListenError(`cannot listen on ${address} (${code}): ${hint}`, { cause: error }));
    };
    if (!credentials) {
      const server = app.listen(port, host, (error?: Error) => (error ? fail(error) : resolve(server)));
      return;
    }
    // An https.Server is an http.Server with TLS in front: everything downstream (timeouts, close) is the same.
    const server = createHttpsServer(credentials, app);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve(server);
    });
  });
}

function readTlsFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${variable} names ${file}, which cannot be read (${code})`);
  }
}

export async function startServer(
  config: Config,
  logger: Logger,
  overrides: Partial<AppDeps> = {},
): Promise<RunningServer> {
  const deps = await buildDeps(config, logger, overrides);
  const app = createApp(deps);
  let server: Server;
  try {
    server = await listen(app, config.host, config.port, config.tls);
  } catch (error) {
    if (!overrides.store) await deps.store.close();
    throw error;
  }
  // Slow clients must not pin connections (slowloris): header, request and keep-alive timeouts.
  applyServerTimeouts(server);
  const { port } = server.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info('listening', { host: config.host, port, publicBaseUrl: config.publicBaseUrl });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      grace.unref();
      await closed;
      clearTimeout(grace);
      // Model calls still running only fed the late-advice cache; nobody waits for them any more.
      for (const advisor of deps.advisors) advisor.close?.();
      // close() flushes the audit queue first; what cannot be written in time is counted as lost, not thrown.
      await deps.store.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { server, url, deps, stop };
}
