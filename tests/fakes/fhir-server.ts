/**
 * Stand-in for a hospital's FHIR server: the real Medplum FHIR router with its in-memory repository, the same core
 * the demo's FHIR server serves (`scripts/lib/memoryFhir.ts`), behind Express on 127.0.0.1. It records the
 * Authorization header of every request it received, and can be told to fail (HTTP 500) or hang (never answer) to
 * test how the service copes.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Resource } from 'fhir/r4.js';
import { FHIR_JSON, memoryFhir } from '../../scripts/lib/memoryFhir.js';

export type FhirServerBehaviour = 'normal' | 'error' | 'hang';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

export interface FakeFhirServer {
  readonly baseUrl: string;
  readonly received: ReceivedRequest[];
  behaviour: FhirServerBehaviour;
  /** Loads resources keeping their ids (PUT semantics), so fixtures can refer to them. */
  load(resources: readonly Resource[]): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeFhirServer(): Promise<FakeFhirServer> {
  const fhir = memoryFhir();
  const received: ReceivedRequest[] = [];
  const hanging = new Set<express.Response>();
  const state = { behaviour: 'normal' as FhirServerBehaviour };

  const app = express();
  app.use(express.json({ type: ['application/json', FHIR_JSON] }));
  app.use('/fhir', async (req, res) => {
    received.push({ method: req.method, url: req.originalUrl, authorization: req.get('authorization') });
    if (state.behaviour === 'hang') {
      hanging.add(res);
      return;
    }
    if (state.behaviour === 'error') {
      res
        .status(500)
        .json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] });
      return;
    }
    await fhir.handle(req, res);
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    received,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value: FhirServerBehaviour) {
      state.behaviour = value;
    },
    load: (resources) => fhir.load(resources),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
