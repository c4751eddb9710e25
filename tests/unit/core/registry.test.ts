import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '../../../hooks/index.js';
import { RegistryError, createRegistry } from '../../../src/cds/registry.js';
import type { ServiceModule } from '../../../src/cds/service.js';

const [patientView] = SERVICES as [ServiceModule];

function variant(change: Record<string, unknown>): ServiceModule {
  return { ...patientView, definition: { ...patientView.definition, ...change } };
}

describe('service registry', () => {
  it('accepts our three services and serves discovery without internal fields', () => {
    const registry = createRegistry(SERVICES);
    const [first] = registry.discovery().services;
    expect(first).not.toHaveProperty('requiredPrefetch');
    expect(first).not.toHaveProperty('minSeverity');
    expect(registry.get('order-sign-advice')?.definition.hook).toBe('order-sign');
  });

  it.each([
    [{ id: 'Bad Id!' }, /\/id must match pattern/],
    [{ description: '' }, /\/description must NOT have fewer than 1 characters/],
    [{ hook: 'order-dispatch' }, /\/hook must be one of/],
    [{ prefetch: { patient: 'Patient/{{context.patientId}}' } }, /\/prefetch\/medications is required/],
    [{ requiredPrefetch: ['encounter'] }, /requiredPrefetch has unknown key encounter/],
    [{ requiredPrefetch: ['patient', 'labHistory'] }, /requiredPrefetch lists the optional key labHistory/],
    [{ minSeverity: 'hard-stop' }, /minSeverity must be one of/],
  ])('stops the start with a precise message for %j', (change, message) => {
    expect(() => createRegistry([variant(change)])).toThrow(RegistryError);
    expect(() => createRegistry([variant(change)])).toThrow(message);
  });

  it('rejects two services with the same id', () => {
    expect(() => createRegistry([patientView, patientView])).toThrow(
      /duplicate service id patient-view-advice/,
    );
  });
});
