/**
 * Two service processes starting at once on one DATA_DIR: SQLite gives no migration lock of its own, so this is
 * where BEGIN IMMEDIATE around the migrations and the busy timeout earn their keep.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import { newLocation, openAt } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHILD = path.join(ROOT, 'tests', 'int', 'store', 'open-store.child.ts');

function child(dataDir: string): Promise<string> {
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PSEUDONYM_KEY: '' };
  return new Promise((resolve, reject) => {
    execFile(TSX, [CHILD], { cwd: ROOT, env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

describe('two processes on one SQLite file', () => {
  let store: SqlStore | undefined;

  afterAll(async () => {
    await store?.close();
  });

  it('both migrate, write and agree on one pseudonym key when they start at the same moment', async () => {
    const location = newLocation('sqlite');

    const keys = await Promise.all([child(location.dataDir), child(location.dataDir)]);

    expect(keys[0]).toBe(keys[1]);
    store = await openAt(location);
    expect(store.pseudonymKey).toBe(keys[0]);
    expect((await store.read.listInvocations()).items).toHaveLength(2);
    expect((await store.read.listFeedback()).items).toHaveLength(2);
    expect(await store.verifyChain()).toMatchObject({ ok: true, checked: { invocations: 2, feedback: 2 } });
  });
});
