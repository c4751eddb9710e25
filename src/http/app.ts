/**
 * The Express app, built without listening (`src/index.ts` listens). Everything it needs comes in `deps`, so
 * tests boot the real app in-process with their own store, advisors and authenticator.
 */
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Advisor } from '../advisors/types.js';
import type { Registry } from '../cds/registry.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { type LoopLag, NO_LAG } from '../timing/loopLag.js';
import type { Pseudonymizer } from '../pipeline/pseudonym.js';
import type { FhirGate } from '../prefetch/resolve.js';
import type { AuditAuth } from './routes/auditAuth.js';
import type { FhirServerCheck } from '../security/ssrf.js';
import type { ClientIdentity, EhrAuthenticator } from '../security/types.js';
import type { Store } from '../store/types.js';
import './locals.js';
import { accessLog } from './middleware/accessLog.js';
import { authenticate } from './middleware/authenticate.js';
import { errorHandler, notFound } from './middleware/errorHandler.js';
import { clientRateLimit, ipRateLimit } from './middleware/limits.js';
import { requestContext } from './middleware/requestContext.js';
import { adminRouter } from './routes/admin.js';
import { auditApiRouter, auditRouter } from './routes/audit.js';
import { modelFactsRouter } from './routes/modelFacts.js';
import { discoveryRouter } from './routes/discovery.js';
import { feedbackRouter } from './routes/feedback.js';
import { healthRouter } from './routes/health.js';
import { servicesRouter } from './routes/services.js';

/** The app `createApp` builds: what the composition root listens with. */
export type App = Express;

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly registry: Registry;
  readonly store: Store;
  /** Run side by side for every hook; the rules advisor always, the model advisor when configured. */
  readonly advisors: readonly Advisor[];
  readonly authenticator: EhrAuthenticator;
  readonly pseudonymize: Pseudonymizer;
  /** SSRF guard: may this client make the service fetch from `url`? The normalized base, or a reason. */
  readonly checkFhirServer: (client: ClientIdentity, url: string) => FhirServerCheck;
  /** Bounds concurrent reads per FHIR server across hook calls (FHIR_MAX_CONCURRENCY). */
  readonly fhirGate?: FhirGate;
  /** Audit/admin API access (bearer AUDIT_TOKENS, or dashboard session + CSRF) and the dashboard login routes. */
  readonly auditAuth: AuditAuth;
  /** How late the event loop runs; hook deadlines are brought forward by it (none: taken as 0). */
  readonly loopLag?: LoopLag;
  /** The clock hook calls run by (tests move it); the real one when absent. */
  readonly now?: () => Date;
}

/** CDS endpoints are called by browser-based EHRs too (https://cds-hooks.hl7.org/2.0/#cross-origin-resource-sharing). */
function cdsCors(config: Config): express.RequestHandler {
  return cors({
    origin: config.corsOrigins === '*' ? '*' : [...config.corsOrigins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    // Auth is by bearer JWT, never cookies: no credentials mode, so `*` is safe here.
    credentials: false,
    maxAge: 600,
  });
}

const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: true });
const strictTransportSecurity: express.RequestHandler = (req, res, next) => {
  if (req.secure) hsts(req, res, next);
  else next();
};

export function createApp(deps: AppDeps): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Hook answers are POST responses, never revalidated: hashing each body for an ETag is wasted work.
  app.set('etag', false);
  // Behind a load balancer the client IP (rate limits) comes from X-Forwarded-For, believed only from TRUST_PROXY.
  app.set('trust proxy', typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy);
  app.set('query parser', 'simple');
  // JSON bodies encode <, > and & as \u003c…: input echoed in an error message can never read as markup.
  app.set('json escape', true);

  app.use(requestContext());
  app.use(accessLog(logger, metrics));
  // HSTS is a promise about this origin's HTTPS: sent only on a request that arrived over https — TLS here, or
  // X-Forwarded-Proto from a proxy TRUST_PROXY believes (req.secure weighs both). Over plain http it is ignored
  // by browsers at best, and wrong at worst.
  app.use(helmet({ strictTransportSecurity: false }));
  app.use(strictTransportSecurity);
  app.use('/cds-services', cdsCors(config));
  if (config.rateLimitPerMinute > 0) {
    // Failed requests per IP before authentication (a spray of bad tokens is cut off cheaply); volume per EHR after.
    app.use('/cds-services', ipRateLimit({ limit: config.rateLimitPerMinute }));
  }
  app.use('/cds-services', authenticate(deps.authenticator, config.publicBaseUrl));
  if (config.rateLimitPerMinute > 0)
    app.use('/cds-services', clientRateLimit({ limit: config.rateLimitPerMinute }));
  // Every audit and admin route, whoever mounts it, sits behind an audit token (or the dashboard session + CSRF).
  app.use(['/audit/api', '/admin'], deps.auditAuth.requireAuditToken);
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      type: ['application/json', 'application/fhir+json', 'application/*+json'],
      strict: true,
    }),
  );

  // Hook calls first: they are the traffic that counts, and every router passed on the way costs them a path match.
  app.use(
    servicesRouter({
      registry: deps.registry,
      advisors: deps.advisors,
      store: deps.store,
      metrics,
      logger,
      pseudonymize: deps.pseudonymize,
      prefetchMaxPages: config.prefetchMaxPages,
      fhirMaxResponseBytes: config.fhirMaxResponseBytes,
      checkFhirServer: deps.checkFhirServer,
      ...(deps.fhirGate ? { fhirGate: deps.fhirGate } : {}),
      adviceBudgetMs: config.adviceBudgetMs,
      adviceBudgetMsByService: config.adviceBudgetMsByService,
      loopLag: deps.loopLag ?? NO_LAG,
      ...(deps.now ? { now: deps.now } : {}),
      auditBeforeAnswer: config.auditBeforeAnswer,
    }),
  );
  app.use(
    feedbackRouter({ store: deps.store, registry: deps.registry, logger, pseudonymize: deps.pseudonymize }),
  );
  app.use(deps.auditAuth.router);
  app.use(healthRouter({ store: deps.store, metrics, advisors: deps.advisors }));
  app.use(discoveryRouter(deps.registry));
  app.use(modelFactsRouter({ config, registry: deps.registry, store: deps.store, reader: deps.store.read }));

  // The safety team's dashboard, audit API and kill switch (behind the audit auth mounted above, and their own).
  app.use(auditRouter({ logger }));
  // Everything under /audit/api and /admin needs a token or a session, unknown paths and wrong methods included.
  app.use(['/audit/api', '/admin'], deps.auditAuth.requireAuditToken);
  app.use('/audit/api', auditApiRouter({ reader: deps.store.read, logger }));
  app.use(
    adminRouter({
      registry: deps.registry,
      store: deps.store,
      reader: deps.store.read,
      sessionCookie: deps.auditAuth.cookieName,
      logger,
      modelConfigured: deps.advisors.some((a) => a.name === 'model'),
    }),
  );

  app.use(notFound());
  app.use(errorHandler(logger, config.bodyLimitBytes));
  return app;
}
