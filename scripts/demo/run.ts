/**
 * Starts the demo: the demo FHIR server seeded with the demo patients, a trusted-clients file for the
 * development EHR identity (and the public CDS Hooks sandbox), and the service itself through the production
 * composition root, authentication on. `npm run demo` prints what to open; tests start the same thing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { type DemoFhirServer, startDemoFhirServer } from './fhirServer.js';
import {
  DEMO_DIR,
  type EhrIdentity,
  ensureDemoAuditToken,
  ensureDevIdentity,
  publicJwkOf,
} from './identity.js';
import { demoResources } from './patients.js';

/** The public CDS Hooks sandbox signs its calls with this issuer and key set. */
export const SANDBOX_ISSUER = 'https://sandbox.cds-hooks.org';
export const SANDBOX_JWKS_URL = 'https://sandbox.cds-hooks.org/.well-known/jwks.json';
/** The sandbox's default FHIR server (SMART Health IT's open R4 endpoint). */
export const SANDBOX_FHIR_SERVER = 'https://launch.smarthealthit.org/v/r4/fhir';

/** The hook deadline the demo uses unless ADVICE_BUDGET_MS says otherwise. */
export const DEMO_BUDGET_MS = 4000;

/** One search of each kind first: the first searches of a fresh process are the slow ones. */
async function warmUp(fhirBaseUrl: string): Promise<void> {
  for (const query of [
    'MedicationRequest?patient=Patient/demo-ellis&status=active',
    'Observation?patient=Patient/demo-okafor&_sort=-date&_count=100',
    'Condition?patient=Patient/demo-ellis',
  ])
    await (await fetch(`${fhirBaseUrl}/${query}`)).arrayBuffer();
}

export interface DemoOptions {
  /** Where the identity, the trusted-clients file and (by default) the store live. */
  readonly dir?: string;
  /** The environment the service's config is read from (the demo adds its own settings to it). */
  readonly env?: NodeJS.ProcessEnv;
  /** The FHIR server's port (0: any free port). */
  readonly fhirPort?: number;
  readonly logger: Logger;
}

export interface RunningDemo {
  readonly service: RunningServer;
  readonly config: Config;
  readonly fhir: DemoFhirServer;
  readonly identity: EhrIdentity;
  readonly identityCreated: boolean;
  readonly auditToken: string;
  readonly trustedClientsFile: string;
  stop(): Promise<void>;
}

/** The trusted-clients entries the demo runs with (CONTRACT.md format). */
export function demoTrustedClients(identity: EhrIdentity, fhirBaseUrl: string): unknown[] {
  return [
    { iss: identity.iss, jwks: { keys: [publicJwkOf(identity)] }, fhir_servers: [fhirBaseUrl] },
    { iss: SANDBOX_ISSUER, jwks_url: SANDBOX_JWKS_URL, fhir_servers: [fhirBaseUrl, SANDBOX_FHIR_SERVER] },
  ];
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const dir = options.dir ?? DEMO_DIR;
  const env = options.env ?? process.env;
  const { identity, created } = await ensureDevIdentity(dir);
  const auditToken = ensureDemoAuditToken(dir);
  const fhir = await startDemoFhirServer({ port: options.fhirPort ?? Number(env.DEMO_FHIR_PORT ?? 3001) });
  try {
    await fhir.load(demoResources());
    await warmUp(fhir.baseUrl);
    const trustedClientsFile = path.join(dir, 'trusted-clients.json');
    writeFileSync(
      trustedClientsFile,
      `${JSON.stringify(demoTrustedClients(identity, fhir.baseUrl), null, 2)}\n`,
    );
    const config = loadConfig({
      // A laptop running the in-memory FHIR server beside the service is slower than an EHR's: a wider default.
      ADVICE_BUDGET_MS: String(DEMO_BUDGET_MS),
      ...env,
      TRUSTED_CLIENTS_FILE: trustedClientsFile,
      DATA_DIR: env.DATA_DIR ?? path.join(dir, 'data'),
      AUDIT_TOKENS: env.AUDIT_TOKENS ?? auditToken,
    });
    const service = await startServer(config, options.logger);
    return {
      service,
      config,
      fhir,
      identity,
      identityCreated: created,
      auditToken: config.auditTokens[0] ?? auditToken,
      trustedClientsFile,
      async stop() {
        await service.stop();
        await fhir.close();
      },
    };
  } catch (error) {
    await fhir.close();
    throw error;
  }
}
