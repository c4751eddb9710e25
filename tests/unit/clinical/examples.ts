/** Reads the HL7 FHIR R4 examples and the Synthea bundles shipped (as devDependencies) for normalization tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { PROJECT_ROOT } from '../../../src/paths.js';

export function hl7Example<T extends FhirResource>(file: string): T {
  return JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'node_modules/hl7.fhir.r4.examples', file), 'utf8'),
  ) as T;
}

export function syntheaBundle(file: string): Bundle {
  return JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'node_modules/cql-exec-fhir/test/fixtures/r4', file), 'utf8'),
  ) as Bundle;
}

export function searchset(resources: readonly FhirResource[]): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) };
}

/** A Synthea transaction bundle re-read as the searchset a prefetch would carry, keeping fullUrls. */
export function asSearchset(bundle: Bundle): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: bundle.entry ?? [] };
}

export const JOHNNIE = 'Johnnie679_Hermiston71_2cd30bd6-3a87-4191-af90-6daa70f58f55.json';
export const LUNA = 'Luna60_McCullough561_6662f0ca-b617-4e02-8f55-7275e9f49aa0.json';
