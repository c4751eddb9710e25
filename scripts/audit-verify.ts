/**
 * `npm run audit:verify`: recomputes the hash chains of the audit trail in the store the environment configures
 * (DATA_DIR, or DATABASE_URL) and reports the first broken link of each chain.
 * Exit codes: 0 intact, 1 a chain is broken, 2 the store could not be checked.
 * Options: --pg-schema NAME (PostgreSQL schema other than the default), --json (machine-readable report).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { verifyChains } from '../src/store/chain.js';
import { connect, SQLITE_FILE } from '../src/store/connect.js';
import type { ChainReport } from '../src/store/types.js';

function describeReport(report: ChainReport, location: string): string {
  const counts = `${report.checked.invocations} invocations, ${report.checked.feedback} feedback items`;
  if (report.ok) return `audit chain intact: ${counts} checked (${location})`;
  const lines = report.breaks.map(
    (b) => `  ${b.chain}: first broken link at row ${b.seq} (${b.reason}): ${b.message}`,
  );
  return [`audit chain BROKEN (${location}); verified before the break: ${counts}`, ...lines].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'pg-schema': { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, SQLITE_FILE))) {
    process.stderr.write(
      `no audit store at ${path.join(config.dataDir, SQLITE_FILE)} (set DATA_DIR or DATABASE_URL)\n`,
    );
    return 2;
  }
  // Straight to the tables, no migrations, no settings written: checking the trail must not change it.
  const connection = connect({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    logger: createLogger('error'),
    ...(values['pg-schema'] ? { pgSchema: values['pg-schema'] } : {}),
  });
  try {
    const report = await verifyChains(connection.db);
    process.stdout.write(
      values.json ? `${JSON.stringify(report)}\n` : `${describeReport(report, connection.location)}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await connection.db.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`audit:verify could not check the store: ${message}\n`);
    process.exitCode = 2;
  },
);
