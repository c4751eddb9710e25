/** Boots the real app in-process through the real composition root, with test-sized settings. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { type Config } from '../../src/config.js';
import { testConfig } from './testConfig.js';
import { type AppDeps, createApp } from '../../src/http/app.js';
import { silentLogger } from './silentLogger.js';
import { createMetrics } from '../../src/metrics.js';
import { buildDeps } from '../../src/server.js';

export interface TestApp {
  readonly app: Express;
  readonly deps: AppDeps;
}

export async function testApp(
  config: Partial<Config> = {},
  overrides: Partial<AppDeps> = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-advisor-test-'));
  const deps = await buildDeps(testConfig({ dataDir, ...config }), silentLogger(), {
    metrics: createMetrics(),
    ...overrides,
  });
  return { app: createApp(deps), deps };
}
