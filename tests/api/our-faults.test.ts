/**
 * A fault of ours while reviewing a well-formed request (a handler or normalizer bug) is a 500 carrying the request
 * id, never a 400 that blames the EHR's data; the details go to the log only.
 */
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SERVICES } from '../../hooks/index.js';
import { createRegistry } from '../../src/cds/registry.js';
import type { ServiceModule } from '../../src/cds/service.js';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';

/** order-sign-advice as registered, with a handler that throws on the chart it is given. */
function withFaultyHandler(): ServiceModule[] {
  return SERVICES.map((service) =>
    service.definition.id === 'order-sign-advice'
      ? {
          ...service,
          focus: () => {
            throw new TypeError("Cannot read properties of undefined (reading 'codings')");
          },
        }
      : service,
  );
}

describe('a fault of ours in the review', () => {
  it('answers 500 with the request id, and neither blames the request nor leaks the error', async () => {
    const { app } = await testApp({}, { registry: createRegistry(withFaultyHandler()) });

    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.full-prefetch'));

    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(res.body.error.requestId).toBe(res.get('x-request-id'));
    expect(res.text).not.toMatch(/malformed|codings|TypeError/);
  });
});
