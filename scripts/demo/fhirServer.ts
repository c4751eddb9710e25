/**
 * The demo's FHIR R4 server: Medplum's FHIR router over its in-memory repository (`../lib/memoryFhir.ts`, which
 * the tests' FHIR stand-in uses too), behind Express on 127.0.0.1, with what a browser EHR needs besides: CORS,
 * `GET /metadata` (a CapabilityStatement) and form-encoded `POST {type}/_search`.
 * Development only: no authentication, nothing persisted.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express from 'express';
import type { CapabilityStatement, CapabilityStatementRestResource, Resource } from 'fhir/r4.js';
import { FHIR_JSON, memoryFhir } from '../lib/memoryFhir.js';

/** The resource types the demo charts hold, with the searches the prefetch templates and EHRs use on them. */
const SEARCHES: Readonly<Record<string, readonly string[]>> = {
  Patient: ['_id'],
  MedicationRequest: ['patient', 'status', 'intent'],
  Condition: ['patient', 'clinical-status', 'category'],
  AllergyIntolerance: ['patient', 'clinical-status'],
  Observation: ['patient', 'category', 'code', 'date'],
};

function capabilityStatement(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: 'CDS Advisor demo FHIR server (Medplum FHIR router, in memory)' },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: Object.entries(SEARCHES).map(([type, params]) => ({
          type: type as CapabilityStatementRestResource['type'],
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: params.map((name) => ({ name, type: name === 'date' ? 'date' : 'token' })),
        })),
      },
    ],
  };
}

export interface DemoFhirServer {
  /** The FHIR base URL, e.g. http://127.0.0.1:3001/fhir */
  readonly baseUrl: string;
  /** Loads resources keeping their ids (update semantics). */
  load(resources: readonly Resource[]): Promise<void>;
  close(): Promise<void>;
}

export async function startDemoFhirServer(
  options: { port?: number; host?: string } = {},
): Promise<DemoFhirServer> {
  const fhir = memoryFhir();
  const app = express();
  app.disable('x-powered-by');
  // Browser EHRs (the CDS Hooks sandbox) read the chart from the page: any origin, no cookies.
  app.use(cors({ origin: '*', exposedHeaders: ['Location', 'ETag'] }));
  app.use(express.json({ type: ['application/json', FHIR_JSON], limit: '5mb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  app.get('/fhir/metadata', (_req, res) => {
    res.type(FHIR_JSON).json(capabilityStatement());
  });
  app.use('/fhir', (req, res) => fhir.handle(req, res));

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/fhir`,
    load: (resources) => fhir.load(resources),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
