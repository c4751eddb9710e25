/**
 * The build ships the product only: `tsc -p tsconfig.build.json` (what `npm run build` runs, and what the image
 * copies as dist/) emits no file from `tests/` or `bench/`, whatever the product or the commands import.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/paths.js';

const outDir = mkdtempSync(path.join(os.tmpdir(), 'cds-dist-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)));
}

describe('the build output', () => {
  it('holds the service and its commands, and no file from tests/ or bench/', () => {
    execFileSync(
      process.execPath,
      [
        path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        outDir,
      ],
      { cwd: PROJECT_ROOT, stdio: 'pipe' },
    );

    const files = filesUnder(outDir);

    expect(files).toEqual(expect.arrayContaining(['src/index.js', 'hooks/index.js', 'scripts/eval.js']));
    expect(files.filter((f) => /^(tests|bench)\//.test(f))).toEqual([]);
  }, 120_000);
});
