/**
 * Stand-in for a hospital's FHIR server: the real Medplum FHIR router with its in-memory repository, the same core
 * the demo's FHIR server serves (`scripts/lib/memoryFhir.ts`), behind Express on 127.0.0.1. It records the
 * Authorization header of every request it received, and can be told to fail (HTTP 500) or hang (never answer) to
 * test how the service copes, or to answer some requests late (`delayFor`: a slow search beside prompt ones).
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
  /** How long to hold the answer to a request (by its URL under the base, e.g. `/Observation?…`); none when unset. */
  delayFor: ((url: string) => number) | undefined;
  /** Loads resources keeping their ids (PUT semantics), so fixtures can refer to them. */
  load(resources: readonly Resource[]): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeFhirServer(): Promise<FakeFhirServer> {
  const fhir = memoryFhir();
  const received: ReceivedRequest[] = [];
  const hanging = new Set<express.Response>();
  const state: { behaviour: FhirServerBehaviour; delayFor: ((url: string) => number) | undefined } = {
    behaviour: 'normal',
    delayFor: undefined,
  };

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
    const delayMs = state.delayFor?.(req.url) ?? 0;
    if (delayMs > 0) {
      // Held like a slow search; a caller that gives up closes the connection, and the answer is not computed.
      hanging.add(res);
      const closed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      hanging.delete(res);
      if (closed) return;
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
    get delayFor() {
      return state.delayFor;
    },
    set delayFor(value: ((url: string) => number) | undefined) {
      state.delayFor = value;
    },
    load: (resources) => fhir.load(resources),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
