/** The validated, immutable service registry the HTTP layer routes on. A bad definition stops the start. */
import { validate } from '../validation.js';
import { HOOKS, OPTIONAL_PREFETCH_KEYS, PREFETCH_KEYS } from './types.js';
import { discoveryEntry, type ServiceModule } from './service.js';
import type { DiscoveryService } from './types.js';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

export interface Registry {
  readonly services: readonly ServiceModule[];
  get(id: string): ServiceModule | undefined;
  discovery(): { services: DiscoveryService[] };
}

const SEVERITIES = ['info', 'warning', 'critical'];

export function createRegistry(modules: readonly ServiceModule[]): Registry {
  const byId = new Map<string, ServiceModule>();
  modules.forEach((module, index) => {
    const def = module.definition;
    const where = `service #${index} (${def?.id ?? 'no id'})`;
    const result = validate('cds-discovery#/definitions/service', discoveryEntry(def));
    if (!result.valid) {
      const first = result.errors[0];
      throw new RegistryError(`${where}: ${first?.path} ${first?.message}`);
    }
    if (!HOOKS.includes(def.hook)) throw new RegistryError(`${where}: unsupported hook ${def.hook}`);
    const requirable: readonly string[] = PREFETCH_KEYS;
    const optional: readonly string[] = OPTIONAL_PREFETCH_KEYS;
    for (const key of def.requiredPrefetch) {
      // The lab history and vital signs are never required (CONTRACT): an EHR without them is still answered.
      if (optional.includes(key))
        throw new RegistryError(`${where}: requiredPrefetch lists the optional key ${key}`);
      if (!requirable.includes(key))
        throw new RegistryError(`${where}: requiredPrefetch has unknown key ${key}`);
    }
    if (!SEVERITIES.includes(def.minSeverity)) {
      throw new RegistryError(`${where}: minSeverity must be one of ${SEVERITIES.join(', ')}`);
    }
    const quiet = def.quietOverriddenWithinMinutes;
    if (quiet !== undefined && (!Number.isInteger(quiet) || quiet < 1 || quiet > 24 * 60)) {
      throw new RegistryError(`${where}: quietOverriddenWithinMinutes must be an integer from 1 to 1440`);
    }
    if (typeof module.focus !== 'function') throw new RegistryError(`${where}: focus handler is missing`);
    if (byId.has(def.id)) throw new RegistryError(`${where}: duplicate service id ${def.id}`);
    byId.set(def.id, module);
  });
  const discovery = { services: modules.map((m) => discoveryEntry(m.definition)) };
  return {
    services: modules,
    get: (id) => byId.get(id),
    discovery: () => discovery,
  };
}
