import { describe, expect, it } from '@jest/globals';
import {
  OPTIONAL_GAVE_UP,
  optionalReadReserveMs,
  requiredReadReserve,
} from '../../../src/prefetch/priority.js';

describe('the share optional prefetch reads get', () => {
  it('keeps half the gate from optional reads, none below four slots', () => {
    expect([1, 2, 3, 4, 5, 16, 1000].map(requiredReadReserve)).toEqual([0, 0, 0, 2, 2, 8, 500]);
  });

  it('ends optional reads halfway through the time for FHIR reads', () => {
    // The default budget: 2000 ms, 200 kept back for the answer, so reads have 1800 ms and optional ones 900.
    expect(2000 - optionalReadReserveMs(2000, 200)).toBe(900);
    expect(optionalReadReserveMs(150, 200)).toBe(200);
  });

  it('says why an optional key was given up, in words an integration engineer can act on', () => {
    expect(OPTIONAL_GAVE_UP['optional-deadline']).toMatch(/optional data .*50 % of the time for FHIR reads/);
    for (const reason of Object.values(OPTIONAL_GAVE_UP)) expect(reason.length).toBeLessThanOrEqual(200);
  });
});
