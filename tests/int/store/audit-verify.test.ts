/** `npm run audit:verify` as an operator runs it: a separate process reading the configured store. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DIALECTS, type Location, invocation, overridden } from './helpers.js';
import { storeFixture } from './storeFixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function runVerify(location: Location): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['scripts/audit-verify.ts', ...(location.pgSchema ? ['--pg-schema', location.pgSchema] : [])];
  const env = {
    ...process.env,
    DATA_DIR: location.dataDir,
    DATABASE_URL: location.databaseUrl ?? '',
    LOG_LEVEL: 'error',
  };
  return new Promise((resolve) => {
    execFile(TSX, args, { cwd: ROOT, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(DIALECTS)('npm run audit:verify on %s', (dialect) => {
  const fx = storeFixture(dialect);

  it('exits 0 on an intact trail, and 1 naming the first broken row once a row is edited', async () => {
    fx.store.audit.record(invocation());
    fx.store.audit.record(invocation());
    await fx.store.audit.flush();
    await fx.store.recordFeedback('order-sign-advice', [overridden('verify-card')]);

    const intact = await runVerify(fx.location);
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.stdout).toContain('audit chain intact: 2 invocations, 1 feedback items checked');

    await fx.store.db.updateTable('invocations').set({ outcome: 'error' }).where('seq', '=', 2).execute();
    const broken = await runVerify(fx.location);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('invocations: first broken link at row 2 (hash-mismatch)');
  });
});
