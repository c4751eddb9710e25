/**
 * `npm run demo`: the service with a local FHIR server, five sample patients and a development EHR identity,
 * for trying it out (README "Try it in an afternoon"). Nothing here is used by `npm start`.
 *
 * - PORT (default 3000) and DEMO_FHIR_PORT (default 3001); other settings as for `npm start`.
 * - `.demo/` (git-ignored) keeps the identity's key pair, the dashboard token, the trusted-clients file and the
 *   embedded store; delete it to start afresh.
 */
import path from 'node:path';
import { ConfigError } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { DEMO_PATIENTS } from './demo/patients.js';
import { SANDBOX_ISSUER, startDemo } from './demo/run.js';

const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
let demo;
try {
  demo = await startDemo({ logger });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`the demo cannot start: ${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}

const base = demo.config.publicBaseUrl;
const relative = (file: string): string => path.relative(PROJECT_ROOT, file);
const patientIds = DEMO_PATIENTS.map((p) => p.id).join(', ');
process.stdout.write(`
CDS Advisor demo
================
Discovery URL     ${base}/cds-services
FHIR server       ${demo.fhir.baseUrl}   (R4, in memory; CORS on; /metadata)
Safety dashboard  ${base}/audit   token: ${demo.auditToken}
EHR identity      ${demo.identity.iss} (${demo.identity.alg}, kid ${demo.identity.kid})${demo.identityCreated ? ' — created now' : ''}
Trusted clients   ${relative(demo.trustedClientsFile)}

Patients (${patientIds}):
${DEMO_PATIENTS.map((p) => `  ${p.id.padEnd(13)} ${p.name}: ${p.shows}`).join('\n')}

Try it from this machine (each call signs a fresh JWT with the development identity):
  npm run fire -- patient-view-advice --patient demo-ellis
  curl -s -X POST ${base}/cds-services/patient-view-advice \\
    -H "Authorization: Bearer $(npm run -s token -- patient-view-advice)" -H 'Content-Type: application/json' \\
    -d '{"hook":"patient-view","hookInstance":"'$(node -p 'crypto.randomUUID()')'","fhirServer":"${demo.fhir.baseUrl}","context":{"userId":"Practitioner/demo-clinician","patientId":"demo-ellis"}}'

In the CDS Hooks sandbox (https://sandbox.cds-hooks.org), in a browser on this machine:
  1. CDS Services → Add CDS Services → ${base}/cds-services
  2. Change FHIR Server → ${demo.fhir.baseUrl}   then Change Patient → demo-ellis (or another id above)
  3. Patient View shows our cards; Rx View (order-select, order-sign) checks what you prescribe there.
  The sandbox signs its calls as ${SANDBOX_ISSUER}; its entry is in the trusted-clients file. Its page is https
  and calls http://127.0.0.1, which browsers allow for loopback.

Stop with Ctrl-C.
`);

const shutdown = (): void => {
  void demo.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
