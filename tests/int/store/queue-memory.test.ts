/**
 * A store outage must degrade the audit trail, never crash the service: under npm start's heap cap the audit queue
 * fills to its default bound and then drops (and counts) new records, with the heap still well below its limit.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { maxQueueForHeap } from '../../../src/store/auditQueue.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { npmStartFlags } from '../../helpers/startFlags.js';

const CHILD = path.join(PROJECT_ROOT, 'tests', 'int', 'store', 'queue-memory.child.ts');

describe('audit queue bound', () => {
  it('is sized from the heap limit: a third of it, between 1,000 and 50,000 records', () => {
    expect(maxQueueForHeap(352 * 2 ** 20)).toBe(12_014);
    expect(maxQueueForHeap(4 * 2 ** 30)).toBe(50_000);
    expect(maxQueueForHeap(8 * 2 ** 20)).toBe(1_000);
  });

  it('fills to its bound during an outage under npm start heap flags, then drops new records, without running out of memory', () => {
    const flags = npmStartFlags();
    expect(flags.some((f) => f.startsWith('--max-old-space-size='))).toBe(true);
    const child = spawnSync(process.execPath, [...flags, '--import', 'tsx', CHILD], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect({ status: child.status, stderr: child.stderr.slice(-500) }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(child.stdout.trim()) as Record<string, number>;
    expect(report.maxQueue).toBeGreaterThan(10_000);
    expect(report.depth).toBe(report.maxQueue);
    expect(report.dropped).toBe(report.offered! - report.maxQueue!);
    expect(report.heapUsed).toBeLessThan(0.6 * report.heapLimit!);
  });
});
