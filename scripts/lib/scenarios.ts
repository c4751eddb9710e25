/**
 * The scenario suite's file format and its loader, read by `npm run eval` and by the tests' scenario harness so
 * both agree on it: `tests/fixtures/scenarios/NAME.json` is a CDS Hooks request, `NAME.expected.json` the clock it
 * was written for and the findings expected per service.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HookRequest } from '../../src/cds/types.js';
import { PROJECT_ROOT } from '../../src/paths.js';

export const SCENARIO_DIR = path.join(PROJECT_ROOT, 'tests/fixtures/scenarios');

export interface ExpectedFinding {
  readonly key: string;
  readonly ruleId: string;
  readonly severity: string;
}

export interface Scenario {
  readonly name: string;
  readonly request: HookRequest;
  readonly description: string;
  readonly now: Date;
  readonly services: Readonly<Record<string, readonly ExpectedFinding[]>>;
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.replace(/\.expected\.json$/, ''))
    .sort();
}

export function loadScenario(name: string): Scenario {
  const request = JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${name}.json`), 'utf8')) as HookRequest;
  const expected = JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${name}.expected.json`), 'utf8')) as {
    description: string;
    now: string;
    services: Record<string, ExpectedFinding[]>;
  };
  return {
    name,
    request,
    description: expected.description,
    now: new Date(expected.now),
    services: expected.services,
  };
}

/** The same request for another order hook: order-sign gets every draft and no selections. */
export function requestFor(request: HookRequest, hook: HookRequest['hook']): HookRequest {
  if (request.hook === hook) return request;
  const context: Record<string, unknown> = { ...request.context };
  delete context.selections;
  return { ...request, hook, context: context as HookRequest['context'] };
}
