import { describe, expect, it } from '@jest/globals';
import { substituteTokens } from '../../../src/prefetch/tokens.js';

describe('prefetch token substitution', () => {
  const context = {
    userId: 'PractitionerRole/role-9',
    patientId: 'p 1',
    encounterId: 'e1',
    selections: ['X/1'],
    flag: true,
  };

  it('replaces first-level primitive context fields, URL-encoded', () => {
    expect(substituteTokens('Patient/{{context.patientId}}', context)).toEqual({
      ok: true,
      url: 'Patient/p%201',
    });
    expect(substituteTokens('Encounter/{{ context.encounterId }}', context)).toEqual({
      ok: true,
      url: 'Encounter/e1',
    });
  });

  it('derives user tokens from the type of context.userId', () => {
    expect(substituteTokens('PractitionerRole/{{userPractitionerRoleId}}', context)).toEqual({
      ok: true,
      url: 'PractitionerRole/role-9',
    });
  });

  it('leaves the template unusable when the user is not of the token type', () => {
    expect(substituteTokens('Practitioner/{{userPractitionerId}}', context)).toEqual({
      ok: false,
      token: 'userPractitionerId',
    });
  });

  it('refuses nested paths and fields the hooks mark as non-tokens', () => {
    expect(substituteTokens('X?x={{context.selections}}', context)).toEqual({
      ok: false,
      token: 'context.selections',
    });
    expect(substituteTokens('X?x={{context.patient.id}}', context)).toEqual({
      ok: false,
      token: 'context.patient.id',
    });
  });

  it('does not let a context value change the query shape', () => {
    const hostile = { ...context, patientId: '1&_include=*' };
    expect(substituteTokens('Condition?patient={{context.patientId}}', hostile)).toEqual({
      ok: true,
      url: 'Condition?patient=1%26_include%3D*',
    });
  });
});
