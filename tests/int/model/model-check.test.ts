/**
 * `npm run model:check` against the endpoint-kind STAND-INS (scripted, not models): what it says when the endpoint
 * works, when it works only in a lesser output mode, when the key is wrong, when nothing answers; and its exit code.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from '@jest/globals';
import { checkModelEndpoint } from '../../../src/advisors/model/gateway/check.js';
import { loadConfig } from '../../../src/config.js';
import { standIn } from '../../fakes/azure-openai-server.js';
import {
  type ModelStandIn,
  type ModelStandInOptions,
  startModelStandIn,
} from '../../fakes/model-stand-ins.js';

const run = promisify(execFile);
let stand: ModelStandIn | undefined;

afterEach(async () => {
  await stand?.close();
  stand = undefined;
});

async function standing(options: Partial<ModelStandInOptions> = {}): Promise<Record<string, string>> {
  stand = await startModelStandIn({
    kind: 'foundry-models',
    model: 'advice-model',
    apiKey: 'stand-in-key',
    answeredModel: 'stand-in-model-7',
    ...options,
  });
  stand.behaviour = standIn.goodAdvice();
  return {
    MODEL_ENDPOINT: stand.endpoint,
    MODEL_ENDPOINT_KIND: options.kind ?? 'foundry-models',
    MODEL_NAME: 'advice-model',
    MODEL_API_KEY: 'stand-in-key',
  };
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run model:check', () => {
  it('says what works: reachable, authenticated, the model that answered, the output mode, latency over three calls', async () => {
    const env = await standing();

    const report = await checkModelEndpoint(loadConfig(env));

    expect(report.usable).toBe(true);
    const text = report.lines.join('\n');
    expect(text).toMatch(
      /Foundry Models \(Azure AI Model Inference API\) \(foundry-models, from MODEL_ENDPOINT_KIND\)/,
    );
    expect(text).toMatch(/Reachable: yes\nAuthenticated: yes\nModel that answered: stand-in-model-7/);
    expect(text).toMatch(/Output mode that works: strict JSON schema/);
    expect(text).toMatch(/Latency over 3 calls: \d+ ms, \d+ ms, \d+ ms \(median \d+ ms\)/);
    expect(stand!.requests).toHaveLength(3);
    expect(stand!.requests[0]?.rawBody).toContain('<patient_data>');
  });

  it('finds the output mode that works when the model refuses strict JSON schema (422 parameter_not_supported)', async () => {
    const env = await standing({ refuses: ['json_schema'] });

    const report = await checkModelEndpoint(loadConfig(env));

    expect(report.usable).toBe(true);
    expect(report.lines.join('\n')).toMatch(
      /Output mode that works: JSON mode, with the schema in the prompt/,
    );
  });

  it('says a wrong key is a wrong key, and what to change', async () => {
    const env = await standing();

    const report = await checkModelEndpoint(loadConfig({ ...env, MODEL_API_KEY: 'bad-key-9f3c' }));

    expect(report.usable).toBe(false);
    const text = report.lines.join('\n');
    expect(text).toMatch(/Reachable: yes\nAuthenticated: no\nThe endpoint answered HTTP 401/);
    expect(text).toMatch(/What to change: The endpoint refused the key: check MODEL_API_KEY/);
    expect(text).not.toContain('bad-key-9f3c');
  });

  it('says when nothing answers at the endpoint', async () => {
    const port = await deadPort();

    const report = await checkModelEndpoint(
      loadConfig({
        MODEL_ENDPOINT: `http://127.0.0.1:${port}`,
        MODEL_ENDPOINT_KIND: 'serverless',
        MODEL_NAME: 'm',
        MODEL_API_KEY: 'k',
      }),
    );

    expect(report.usable).toBe(false);
    expect(report.lines.join('\n')).toMatch(/Reachable: no \(connection\)\nWhat to change: nothing answered/);
  });

  it('exits 0 only when the endpoint is usable', async () => {
    const env = await standing({ kind: 'openai-v1' });
    const script = ['tsx', 'scripts/model-check.ts'];
    const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

    const good = await run('npx', script, { env: { ...clean, ...env } });
    const bad = await run('npx', script, { env: { ...clean, ...env, MODEL_NAME: 'no-such-model' } }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );

    expect(good.stdout).toMatch(/Usable: yes/);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/HTTP 404, code DeploymentNotFound/);
    expect(bad.stdout).toMatch(/Usable: no/);
  }, 60_000);
});
