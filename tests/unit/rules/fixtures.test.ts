/**
 * The generated fixtures (`tests/fixtures/synth`) are committed as files so `npm run fire` and readers can use
 * them; this keeps every file equal to what its spec produces (regenerate with `npx tsx tests/fixtures/synth/write.ts`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { generatedFixtures } from '../../fixtures/synth/generate.js';

describe('generated fixtures', () => {
  for (const [relative, value] of generatedFixtures()) {
    it(`${relative} holds what its spec produces`, () => {
      const file = path.join(PROJECT_ROOT, 'tests/fixtures', relative);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(value);
    });
  }
});
