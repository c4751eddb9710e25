/**
 * docs/integration.md's trusted-clients examples (the CDS Hooks sandbox, Epic, Oracle Health) load through the
 * real loader, from a file as TRUSTED_CLIENTS_FILE would name it, so an engineer who copies one starts a service.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { loadTrustedClients } from '../../../src/security/trustedClients.js';

const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'integration.md'), 'utf8');

/** Each `<!-- trusted-clients: NAME -->` marker and the json block that follows it. */
const examples = [...doc.matchAll(/<!-- trusted-clients: ([\w-]+) -->\s*```json\n([\s\S]*?)\n```/g)].map(
  (m) => [m[1]!, m[2]!] as const,
);

describe('docs/integration.md trusted-clients examples', () => {
  it('has one for each EHR the guide covers', () => {
    expect(examples.map(([name]) => name)).toEqual(['sandbox', 'epic', 'oracle-health']);
  });

  it.each(examples)('the %s example loads through the real loader', (_name, json) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cds-doc-clients-')), 'trusted-clients.json');
    writeFileSync(file, json);
    const clients = loadTrustedClients(file);
    expect(clients).toHaveLength(1);
    expect(clients[0]!.fhirServers.length).toBeGreaterThan(0);
    expect(clients[0]!.allowedJku.length).toBeGreaterThan(0);
  });
});
