/**
 * `npm run model:check`: calls the configured model endpoint with a synthetic patient and says, in plain words,
 * what works and what to fix. Exit code 0 only when the endpoint is usable.
 */
import { checkModelEndpoint } from '../src/advisors/model/gateway/check.js';
import { ConfigError, loadConfig } from '../src/config.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stdout.write(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  process.stdout.write('Model check: one synthetic patient (no real data), three calls.\n');
  const report = await checkModelEndpoint(config);
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  if (!report.usable) process.stdout.write('Usable: no\n');
  return report.usable ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`model check failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
