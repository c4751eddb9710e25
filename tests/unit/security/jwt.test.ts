import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, UnsecuredJWT, base64url, exportSPKI, importJWK, type CryptoKey } from 'jose';
import {
  audienceFor,
  createJwtAuthenticator,
  type JwtAuthenticatorOptions,
} from '../../../src/security/jwt.js';
import { MemoryReplayGuard } from '../../../src/security/memoryReplayGuard.js';
import type { TrustedClient } from '../../../src/security/trustedClients.js';
import type { ReplayGuard } from '../../../src/security/types.js';
import {
  SPEC_EXAMPLE,
  captureLogger,
  createSigningKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type SigningKey,
} from '../../fakes/jwks-server.js';

const ISS = 'https://ehr.example.org';
const URL_CALLED = 'https://cds.example.org/cds-services/patient-view-advice';

let jwksServer: JwksServer;
let key: SigningKey;
let rsaKey: SigningKey;

beforeAll(async () => {
  jwksServer = await startJwksServer();
  key = await createSigningKey('ES384');
  rsaKey = await createSigningKey('RS384');
  jwksServer.setKeys('/jwks.json', [key.publicJwk, rsaKey.publicJwk]);
});

afterAll(async () => {
  await jwksServer.close();
});

function client(overrides: Partial<TrustedClient> = {}): TrustedClient {
  return {
    iss: ISS,
    jwksUrl: jwksServer.url('/jwks.json'),
    allowedJku: [jwksServer.url('/jwks.json')],
    fhirServers: ['https://ehr.example.org/fhir/r4'],
    ...overrides,
  };
}

function setUp(overrides: Partial<JwtAuthenticatorOptions> = {}) {
  const captured = captureLogger();
  const authenticator = createJwtAuthenticator({
    clients: [client()],
    maxLifetimeSeconds: 300,
    replayGuard: new MemoryReplayGuard(),
    logger: captured.logger,
    ...overrides,
  });
  const reasons = () =>
    captured.entries.filter((e) => e.message === 'ehr authentication failed').map((e) => e.meta.reason);
  return { authenticator, reasons, logText: captured.text };
}

const bearer = (token: string) => `Bearer ${token}`;

describe('EHR JWT verification', () => {
  it('accepts a valid ES384 token whose aud is the URL called, returning the client identity', async () => {
    const { authenticator } = setUp();
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED });

    const identity = await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED });

    expect(identity).toEqual({ issuer: ISS, fhirServers: ['https://ehr.example.org/fhir/r4'] });
  });

  it('accepts RS384, a one-element aud array, a lower-case typ and carries the tenant', async () => {
    const { authenticator } = setUp({ clients: [client({ tenant: 't-1' })] });
    const token = await signToken({
      key: rsaKey,
      iss: ISS,
      aud: [URL_CALLED],
      header: { typ: 'jwt' },
      claims: { tenant: 't-1' },
    });

    const identity = await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED });

    expect(identity?.tenant).toBe('t-1');
  });

  it('accepts keys given inline in the trusted clients file without fetching anything', async () => {
    const before = jwksServer.requests.length;
    const { authenticator } = setUp({
      clients: [{ iss: ISS, jwks: { keys: [key.publicJwk] }, allowedJku: [], fhirServers: [] }],
    });
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED });

    expect(await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED })).toBeDefined();
    expect(jwksServer.requests.length).toBe(before);
  });

  it('rejects a request without a bearer token', async () => {
    const { authenticator, reasons } = setUp();

    expect(await authenticator.authenticate({ authorization: undefined, url: URL_CALLED })).toBeUndefined();
    expect(
      await authenticator.authenticate({ authorization: 'Basic dXNlcjpwYXNz', url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['no bearer token', 'malformed Authorization header']);
  });

  it('rejects an expired token', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({
      key,
      iss: ISS,
      aud: URL_CALLED,
      iat: Math.floor(Date.now() / 1000) - 400,
      lifetimeSeconds: 240,
    });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['token expired']);
  });

  it('rejects a token whose aud is another URL', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({
      key,
      iss: ISS,
      aud: 'https://cds.example.org/cds-services/order-sign-advice',
    });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()[0]).toMatch(/^aud does not equal the URL called/);
  });

  it('rejects an aud array naming the URL among others (the spec allows one element)', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: ISS, aud: [URL_CALLED, 'https://elsewhere.example'] });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()[0]).toMatch(/^aud does not equal/);
  });

  it('rejects alg none', async () => {
    const { authenticator, reasons } = setUp();
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({
      iss: ISS,
      aud: URL_CALLED,
      iat: now,
      exp: now + 60,
      jti: 'j-none',
    }).encode();
    // UnsecuredJWT sets only alg; add typ and kid so that only the algorithm is wrong.
    const [, payload] = unsigned.split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: key.kid }));

    expect(
      await authenticator.authenticate({ authorization: bearer(`${header}.${payload}.`), url: URL_CALLED }),
    ).toBeUndefined();
    // With a dummy signature segment too, the algorithm is refused before any key is looked up.
    expect(
      await authenticator.authenticate({
        authorization: bearer(`${header}.${payload}.AAAA`),
        url: URL_CALLED,
      }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['alg "none" is not allowed', 'alg "none" is not allowed']);
  });

  it('rejects HS256 signed with the public key bytes as the secret (algorithm confusion)', async () => {
    const { authenticator, reasons } = setUp();
    const spki = await exportSPKI((await importJWK(key.publicJwk, 'ES384')) as CryptoKey);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: ISS, aud: URL_CALLED, iat: now, exp: now + 60, jti: 'j-hs' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
      .sign(new TextEncoder().encode(spki));

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['alg "HS256" is not allowed']);
  });

  it('rejects a token signed with a key whose kid is unknown', async () => {
    const { authenticator, reasons } = setUp();
    const stranger = await createSigningKey('ES384', 'unknown-kid');
    const token = await signToken({ key: stranger, iss: ISS, aud: URL_CALLED });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['no key in the JWK Set matches kid']);
  });

  it('rejects a token signed by another key under a known kid', async () => {
    const { authenticator, reasons } = setUp();
    const impostor = await createSigningKey('ES384', key.kid);
    const token = await signToken({ key: impostor, iss: ISS, aud: URL_CALLED });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['signature verification failed']);
  });

  it('rejects an issuer that is not trusted', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: 'https://rogue.example.org', aud: URL_CALLED });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['issuer is not trusted']);
  });

  it('rejects a jku off the allow-list without contacting any JWKS server', async () => {
    const isolated = await startJwksServer();
    try {
      isolated.setKeys('/attacker.json', [key.publicJwk]);
      const { authenticator, reasons } = setUp({
        clients: [{ iss: ISS, jwks: { keys: [key.publicJwk] }, allowedJku: [], fhirServers: [] }],
      });
      const token = await signToken({
        key,
        iss: ISS,
        aud: URL_CALLED,
        header: { jku: isolated.url('/attacker.json') },
      });

      expect(
        await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
      ).toBeUndefined();
      expect(reasons()).toEqual(["jku is not on the issuer's allow-list"]);
      expect(isolated.requests).toEqual([]);
    } finally {
      await isolated.close();
    }
  });

  it('uses a jku on the allow-list', async () => {
    const { authenticator } = setUp();
    const token = await signToken({
      key,
      iss: ISS,
      aud: URL_CALLED,
      header: { jku: jwksServer.url('/jwks.json') },
    });

    expect(await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED })).toBeDefined();
  });

  it.each([
    [
      'the jwks_url',
      (url: string) => client({ jwks: { keys: [key.publicJwk] }, jwksUrl: url, allowedJku: [url] }),
    ],
    [
      'in allowed_jku',
      (url: string): TrustedClient => ({
        iss: ISS,
        jwks: { keys: [key.publicJwk] },
        allowedJku: [url],
        fhirServers: [],
      }),
    ],
  ])('verifies a token whose jku is %s with the inline keys, fetching nothing', async (_where, clientFor) => {
    const keySet = await startJwksServer();
    try {
      const { authenticator } = setUp({ clients: [clientFor(keySet.url('/keys'))] });
      const token = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { jku: keySet.url('/keys') } });

      expect(
        await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
      ).toBeDefined();
      expect(keySet.requests).toEqual([]);
    } finally {
      await keySet.close();
    }
  });

  it('fetches the set a jku names when no inline key matches the kid', async () => {
    const keySet = await startJwksServer();
    try {
      const inlineOnly = await createSigningKey('ES384');
      keySet.setKeys('/keys', [key.publicJwk]);
      const { authenticator } = setUp({
        clients: [
          {
            iss: ISS,
            jwks: { keys: [inlineOnly.publicJwk] },
            allowedJku: [keySet.url('/keys')],
            fhirServers: [],
          },
        ],
      });
      const token = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { jku: keySet.url('/keys') } });

      expect(
        await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
      ).toBeDefined();
      expect(keySet.requests).toEqual(['/keys']);
    } finally {
      await keySet.close();
    }
  });

  it('logs no more than a short prefix of a huge kid, jku or jti', async () => {
    const { authenticator, logText } = setUp({ clients: [client({ allowedJku: [] })] });
    const huge = 'k'.repeat(5000);
    const badKid = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { kid: huge } });
    const badJku = await signToken({
      key,
      iss: ISS,
      aud: URL_CALLED,
      header: { jku: `https://x.example/${huge}` },
    });
    const badJti = await signToken({ key, iss: ISS, aud: URL_CALLED, claims: { jti: huge } });

    for (const token of [badKid, badJku, badJti])
      expect(
        await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
      ).toBeUndefined();

    const lines = logText().trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThan(600);
  });

  it('refuses a jti holding control characters before it reaches the replay store', async () => {
    const seen: string[] = [];
    const recording: ReplayGuard = {
      rememberJti: (_issuer, jti) => {
        seen.push(jti);
        return Promise.resolve(true);
      },
    };
    const { authenticator, reasons } = setUp({ replayGuard: recording });
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED, claims: { jti: 'abc\u0000def' } });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['jti must be a string of 1 to 256 characters without control characters']);
    expect(seen).toEqual([]);
  });

  it('rejects a replayed jti', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED });

    expect(await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED })).toBeDefined();
    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['jti replayed']);
  });

  it('rejects a token whose lifetime exceeds the maximum', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED, lifetimeSeconds: 3600 });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['lifetime exp - iat = 3600s exceeds 300s']);
  });

  it('rejects a token without kid', async () => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { kid: undefined } });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['kid is missing']);
  });

  it('rejects a token without typ, or with another typ', async () => {
    const { authenticator, reasons } = setUp();
    const noTyp = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { typ: undefined } });
    const atJwt = await signToken({ key, iss: ISS, aud: URL_CALLED, header: { typ: 'at+jwt' } });

    expect(
      await authenticator.authenticate({ authorization: bearer(noTyp), url: URL_CALLED }),
    ).toBeUndefined();
    expect(
      await authenticator.authenticate({ authorization: bearer(atJwt), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['typ is not JWT', 'typ is not JWT']);
  });

  it.each(['exp', 'iat', 'jti'])('rejects a token without %s', async (claim) => {
    const { authenticator, reasons } = setUp();
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED, claims: { [claim]: undefined } });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()[0]).toContain(`"${claim}"`);
  });

  it('rejects a token issued in the future beyond the clock skew', async () => {
    const { authenticator, reasons } = setUp({ clockSkewSeconds: 30 });
    const token = await signToken({
      key,
      iss: ISS,
      aud: URL_CALLED,
      iat: Math.floor(Date.now() / 1000) + 120,
    });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['iat is in the future']);
  });

  it('tolerates a clock a few seconds behind the EHR', async () => {
    const { authenticator } = setUp({ clockSkewSeconds: 30 });
    const token = await signToken({
      key,
      iss: ISS,
      aud: URL_CALLED,
      iat: Math.floor(Date.now() / 1000) + 10,
    });

    expect(await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED })).toBeDefined();
  });

  it('rejects a tenant other than the one the client entry names', async () => {
    const { authenticator, reasons } = setUp({ clients: [client({ tenant: 't-1' })] });
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED, claims: { tenant: 't-2' } });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['tenant does not match']);
  });

  it('fails closed when the replay store is unavailable', async () => {
    const broken: ReplayGuard = { rememberJti: async () => Promise.reject(new Error('connection refused')) };
    const { authenticator, reasons } = setUp({ replayGuard: broken });
    const token = await signToken({ key, iss: ISS, aud: URL_CALLED });

    expect(
      await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
    ).toBeUndefined();
    expect(reasons()).toEqual(['replay check unavailable']);
  });

  it('does not spend the jti of a token that fails another check', async () => {
    const { authenticator } = setUp();
    const jti = 'shared-jti';
    const wrongAud = await signToken({ key, iss: ISS, aud: 'https://elsewhere.example', claims: { jti } });
    const good = await signToken({ key, iss: ISS, aud: URL_CALLED, claims: { jti } });

    await authenticator.authenticate({ authorization: bearer(wrongAud), url: URL_CALLED });

    expect(await authenticator.authenticate({ authorization: bearer(good), url: URL_CALLED })).toBeDefined();
  });

  it('never writes the token to the log', async () => {
    const { authenticator, logText } = setUp();
    const token = await signToken({ key, iss: ISS, aud: 'https://elsewhere.example' });

    await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED });

    expect(logText()).toContain('ehr authentication failed');
    expect(logText()).not.toContain(token.split('.')[2]);
    expect(logText()).not.toContain(token.split('.')[1]);
  });

  it('refuses to be configured with none or a symmetric algorithm', () => {
    expect(() => setUp({ algorithms: ['ES384', 'HS256'] })).toThrow(/HS256/);
    expect(() => setUp({ algorithms: ['none'] })).toThrow(/none/);
  });

  it('fetches the JWK Set once, then again on an unknown kid only after the cooldown', async () => {
    const server = await startJwksServer();
    try {
      server.setKeys('/keys', [key.publicJwk]);
      const { authenticator } = setUp({
        clients: [client({ jwksUrl: server.url('/keys'), allowedJku: [] })],
        jwks: { cooldownMs: 60_000 },
      });
      for (let i = 0; i < 3; i += 1) {
        const token = await signToken({ key, iss: ISS, aud: URL_CALLED });
        expect(
          await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
        ).toBeDefined();
      }
      const rotated = await createSigningKey('ES384');
      server.setKeys('/keys', [key.publicJwk, rotated.publicJwk]);
      // The rotated key arrived after the first fetch, within the cooldown: no refetch, rejected.
      const fresh = await signToken({ key: rotated, iss: ISS, aud: URL_CALLED });
      expect(
        await authenticator.authenticate({ authorization: bearer(fresh), url: URL_CALLED }),
      ).toBeUndefined();

      expect(server.requests).toEqual(['/keys']);
    } finally {
      await server.close();
    }
  });

  it('picks up a rotated key on an unknown kid once the cooldown has passed', async () => {
    const server = await startJwksServer();
    try {
      server.setKeys('/keys', [key.publicJwk]);
      const { authenticator } = setUp({
        clients: [client({ jwksUrl: server.url('/keys'), allowedJku: [] })],
        jwks: { cooldownMs: 0 },
      });
      await authenticator.authenticate({
        authorization: bearer(await signToken({ key, iss: ISS, aud: URL_CALLED })),
        url: URL_CALLED,
      });
      const rotated = await createSigningKey('ES384');
      server.setKeys('/keys', [rotated.publicJwk]);

      const token = await signToken({ key: rotated, iss: ISS, aud: URL_CALLED });

      expect(
        await authenticator.authenticate({ authorization: bearer(token), url: URL_CALLED }),
      ).toBeDefined();
      expect(server.requests).toEqual(['/keys', '/keys']);
    } finally {
      await server.close();
    }
  });
});

describe('the CDS Hooks specification example JWT', () => {
  const specClient: TrustedClient = {
    iss: SPEC_EXAMPLE.iss,
    jwksUrl: SPEC_EXAMPLE.jku,
    allowedJku: [SPEC_EXAMPLE.jku],
    fhirServers: [],
  };
  // Serves the spec's public JWK Set for its jku without the network: the signature verifies, so only expiry fails.
  const specFetch = (url: string) =>
    Promise.resolve(
      url === SPEC_EXAMPLE.jku
        ? new Response(JSON.stringify(SPEC_EXAMPLE.jwks), { status: 200 })
        : new Response('', { status: 404 }),
    );

  it('is rejected as expired although its signature verifies', async () => {
    const { authenticator, reasons } = setUp({ clients: [specClient], jwks: { fetch: specFetch } });

    const identity = await authenticator.authenticate({
      authorization: bearer(SPEC_EXAMPLE.token),
      url: SPEC_EXAMPLE.aud,
    });

    expect(identity).toBeUndefined();
    expect(reasons()).toEqual(['token expired']);
  });

  it('is verified with inline keys when its jku is on the allow-list, without any fetch', async () => {
    const fetched: string[] = [];
    const recordingFetch = (url: string) => {
      fetched.push(url);
      return Promise.resolve(new Response('', { status: 404 }));
    };
    const { authenticator, reasons } = setUp({
      clients: [{ ...specClient, jwks: SPEC_EXAMPLE.jwks as never }],
      jwks: { fetch: recordingFetch },
    });

    const identity = await authenticator.authenticate({
      authorization: bearer(SPEC_EXAMPLE.token),
      url: SPEC_EXAMPLE.aud,
    });

    // The signature verified with the inline key: only the 2015 expiry is left to fail.
    expect(identity).toBeUndefined();
    expect(reasons()).toEqual(['token expired']);
    expect(fetched).toEqual([]);
  });

  it('is rejected when its jku is not on the allow-list, even with the right inline keys', async () => {
    const { authenticator, reasons } = setUp({
      clients: [{ iss: SPEC_EXAMPLE.iss, jwks: SPEC_EXAMPLE.jwks as never, allowedJku: [], fhirServers: [] }],
    });

    expect(
      await authenticator.authenticate({ authorization: bearer(SPEC_EXAMPLE.token), url: SPEC_EXAMPLE.aud }),
    ).toBeUndefined();
    expect(reasons()).toEqual(["jku is not on the issuer's allow-list"]);
  });
});

describe('MemoryReplayGuard', () => {
  it('forgets a jti once it has expired', async () => {
    let now = 1_000_000;
    const guard = new MemoryReplayGuard(10, undefined, () => now);

    expect(await guard.rememberJti('iss', 'a', new Date(now + 1000))).toBe(true);
    expect(await guard.rememberJti('iss', 'a', new Date(now + 1000))).toBe(false);
    now += 1001;
    expect(await guard.rememberJti('iss', 'a', new Date(now + 1000))).toBe(true);
  });

  it('keeps jtis per issuer', async () => {
    const guard = new MemoryReplayGuard();
    const exp = new Date(Date.now() + 60_000);

    expect(await guard.rememberJti('iss-1', 'a', exp)).toBe(true);
    expect(await guard.rememberJti('iss-2', 'a', exp)).toBe(true);
  });

  it('stays within its bound, dropping the oldest entries', async () => {
    const guard = new MemoryReplayGuard(3);
    const exp = new Date(Date.now() + 60_000);

    for (const jti of ['a', 'b', 'c', 'd', 'e']) await guard.rememberJti('iss', jti, exp);

    expect(guard.size).toBe(3);
    expect(await guard.rememberJti('iss', 'e', exp)).toBe(false);
  });
});

describe('audienceFor', () => {
  it('joins the public base URL and the path without doubling slashes', () => {
    expect(audienceFor('https://cds.example.org/base/', '/cds-services')).toBe(
      'https://cds.example.org/base/cds-services',
    );
  });
});
