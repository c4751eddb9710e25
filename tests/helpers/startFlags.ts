/** The node flags `npm start` runs with (heap limits), for child processes that must run as production does. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export function npmStartFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return (pkg.scripts.start ?? '').split(/\s+/).filter((arg) => arg.startsWith('--'));
}
