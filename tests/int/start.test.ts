/**
 * What an operator sees when the service cannot start: one clear line naming the cause, and the exit code the
 * contract gives it (2 for a configuration error, 1 for a failure to start).
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type ServiceProcess, spawnService } from '../helpers/serviceProcess.js';

const dataDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'cds-start-test-'));

describe('start-up failures', () => {
  let service: ServiceProcess | undefined;

  // A service that started after all (the failure this file looks for did not happen) must not outlive the test.
  afterEach(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    service = undefined;
  });

  it('an audit token shorter than 32 characters: names AUDIT_TOKENS (not the token), exits 2', async () => {
    const token = 'short-audit-token';
    service = spawnService({
      PORT: '0',
      DATA_DIR: dataDir(),
      AUDIT_TOKENS: `${'a'.repeat(40)},${token}`,
    });

    expect(await service.exited).toBe(2);
    expect(service.output()).toMatch(/^configuration error: AUDIT_TOKENS entry 2 .*at least 32 characters/m);
    expect(service.output()).not.toContain(token);
  }, 60_000);

  it('a port already in use: says EADDRINUSE and the port, exits 1', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      service = spawnService({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir() });

      expect(await service.exited).toBe(1);
      const output = service.output();
      expect(output).toContain('EADDRINUSE');
      expect(output).toContain(`127.0.0.1:${port}`);
      expect(output).not.toContain('Cannot destructure');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});
