/** Jest-only: a store per describe block (helpers.ts stays importable from child processes run outside jest). */
import { afterAll, beforeAll } from '@jest/globals';
import type { OpenStoreOptions, SqlStore, StoreConfig } from '../../../src/store/sqlStore.js';
import { type Dialect, dropLocation, type Location, newLocation, openAt } from './helpers.js';

/** A store on a fresh location for one describe block: opened before its tests, closed and dropped after. */
export function storeFixture(
  dialect: Dialect,
  config: Partial<StoreConfig> = {},
  options: Partial<OpenStoreOptions> = {},
): { readonly store: SqlStore; readonly location: Location } {
  const state: { store?: SqlStore; location?: Location } = {};
  beforeAll(async () => {
    state.location = newLocation(dialect);
    state.store = await openAt(state.location, config, options);
  });
  afterAll(async () => {
    await state.store?.close();
    if (state.location) await dropLocation(state.location);
  });
  const outside = (): Error => new Error('store fixture used outside its describe block');
  return {
    get store(): SqlStore {
      if (!state.store) throw outside();
      return state.store;
    },
    get location(): Location {
      if (!state.location) throw outside();
      return state.location;
    },
  };
}
