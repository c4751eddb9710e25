/**
 * The Node.js lines we support, stated in one place (package.json `engines`) and kept true: the production image
 * builds on a line `engines` allows, both of its stages on the same one; the Node.js running this suite (the
 * development line) is allowed too; and the code is typed against the oldest supported line (@types/node), so an
 * API only a newer line has does not compile. (No Docker engine here: the image itself is not built.)
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { PROJECT_ROOT } from '../../../src/paths.js';

const read = (relative: string): string => readFileSync(path.join(PROJECT_ROOT, relative), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const nodeImages = [...read('deploy/Dockerfile').matchAll(/^FROM\s+node:(\d+)[^\s]*/gm)].map((m) =>
  Number(m[1]),
);

describe('supported Node.js lines', () => {
  it('the image builds and runs on one Node.js line, and engines allows it', () => {
    expect(nodeImages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(nodeImages).size).toBe(1);
    expect(semver.satisfies(`${nodeImages[0]}.0.0`, pkg.engines.node)).toBe(true);
  });

  it('the image is not on a line past its end of life (Node 20 ended 2026-04-30)', () => {
    expect(nodeImages[0]).toBeGreaterThanOrEqual(26);
  });

  it('the Node.js running the tests is a supported line', () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });

  it('the code is typed against the oldest supported line, so newer-only APIs do not compile', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.major;
    expect(semver.minVersion(pkg.devDependencies['@types/node']!)!.major).toBe(oldest);
  });
});
