/**
 * A failed or stale native build of better-sqlite3 only shows when the first database opens, as a message about
 * bindings files. The start must say what to do. The load failure is simulated through the store's own seam
 * (`openSqlite`), with the message better-sqlite3's loader gives; the library itself is not mocked.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../helpers/testConfig.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { NativeModuleError } from '../../../src/store/connect.js';
import { openStore } from '../../../src/store/sqlStore.js';

const dataDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'cds-native-'));

describe('when better-sqlite3 cannot load its native module', () => {
  it('the store refuses to open with what to do: rebuild it, or use PostgreSQL', async () => {
    const loadFailure = (): never => {
      throw new Error(
        'Could not locate the bindings file. Tried:\n → /app/node_modules/better-sqlite3/build/better_sqlite3.node',
      );
    };
    const opening = openStore(testConfig({ dataDir: dataDir() }), {
      logger: silentLogger(),
      openSqlite: loadFailure,
    });
    await expect(opening).rejects.toBeInstanceOf(NativeModuleError);
    await expect(opening).rejects.toThrow(
      /better-sqlite3 could not be loaded on Node\.js \d+\.\d+\.\d+ \(Could not locate the bindings file\. Tried:\)\. .*npm_config_nodedir=\/usr npm rebuild better-sqlite3.*README "Quick start".*DATABASE_URL/,
    );
  });

  it('an ABI mismatch after a Node.js upgrade says the same', async () => {
    const staleBuild = (): never => {
      throw new Error(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 137.",
      );
    };
    await expect(
      openStore(testConfig({ dataDir: dataDir() }), { logger: silentLogger(), openSqlite: staleBuild }),
    ).rejects.toBeInstanceOf(NativeModuleError);
  });

  it('other errors opening the file pass through unchanged', async () => {
    const denied = Object.assign(new Error('unable to open database file'), { name: 'SqliteError' });
    await expect(
      openStore(testConfig({ dataDir: dataDir() }), {
        logger: silentLogger(),
        openSqlite: () => {
          throw denied;
        },
      }),
    ).rejects.toBe(denied);
  });
});
