/**
 * `npm run -s token -- [service-id] [--key FILE]`: prints one fresh CDS Hooks JWT for a call to
 * `{CDS_URL}/cds-services/{service-id}` (default patient-view-advice), signed with the development EHR identity
 * (`.demo/`, made by `npm run demo`) or the identity file `--key` / CDS_KEY_FILE names. For curl; each token is
 * good for one call (the service refuses a replayed `jti`) and a few minutes.
 */
import { identityFileFromEnv, readIdentity } from './demo/identity.js';
import { endpointOf, mintToken } from './demo/mint.js';

const args = process.argv.slice(2);
const keyAt = args.indexOf('--key');
const keyFile = keyAt >= 0 ? args[keyAt + 1] : undefined;
const positional = keyAt >= 0 ? args.filter((_, i) => i !== keyAt && i !== keyAt + 1) : args;
const serviceId = positional[0] ?? 'patient-view-advice';
const file = keyFile ?? identityFileFromEnv();
if (!file) {
  process.stderr.write('no EHR identity: run `npm run demo` once (it creates .demo/), or pass --key FILE\n');
  process.exit(2);
}
const baseUrl = process.env.CDS_URL ?? 'http://127.0.0.1:3000';
try {
  process.stdout.write(`${await mintToken(readIdentity(file), endpointOf(baseUrl, serviceId))}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
