import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../../src/config.js';
import { testConfig } from '../../helpers/testConfig.js';
import { isLoopbackHostname as isLoopbackHost } from '../../../src/security/loopback.js';
import { setUpAuthentication } from '../../../src/security/startup.js';
import { noAuthentication } from '../../../src/security/types.js';
import { captureLogger } from '../../fakes/jwks-server.js';

const client = {
  iss: 'https://ehr.example.org',
  jwksUrl: 'https://ehr.example.org/jwks',
  allowedJku: [],
  fhirServers: [],
};

describe('authentication start-up rules', () => {
  it.each(['127.0.0.1', '127.10.0.1', '::1', 'localhost', '[::1]'])(
    'without trusted clients, runs unauthenticated on loopback HOST %s with a loud warning',
    (host) => {
      const { logger, entries } = captureLogger();

      const setup = setUpAuthentication(testConfig({ host }), { logger });

      expect(setup.authenticated).toBe(false);
      expect(setup.authenticator).toBe(noAuthentication);
      expect(entries.find((e) => e.level === 'warn')?.message).toMatch(/AUTHENTICATION DISABLED/);
    },
  );

  it.each(['0.0.0.0', '::', '10.0.0.5', 'cds.example.org'])(
    'without trusted clients, refuses to start on non-loopback HOST %s',
    (host) => {
      const { logger } = captureLogger();

      expect(() => setUpAuthentication(testConfig({ host }), { logger })).toThrow(ConfigError);
      expect(() => setUpAuthentication(testConfig({ host }), { logger })).toThrow(
        /refusing to start: .*Set TRUSTED_CLIENTS_FILE .* or set ALLOW_UNAUTHENTICATED=true/,
      );
    },
  );

  it('without trusted clients, runs unauthenticated anywhere when ALLOW_UNAUTHENTICATED=true, and warns', () => {
    const { logger, entries } = captureLogger();

    const setup = setUpAuthentication(testConfig({ host: '0.0.0.0', allowUnauthenticated: true }), {
      logger,
    });

    expect(setup.authenticated).toBe(false);
    expect(entries.find((e) => e.level === 'warn')?.meta.reason).toBe('ALLOW_UNAUTHENTICATED=true');
  });

  it('treats an empty trusted clients list like no list', () => {
    const { logger } = captureLogger();

    expect(() => setUpAuthentication(testConfig({ host: '0.0.0.0' }), { logger, clients: [] })).toThrow(
      /refusing to start/,
    );
  });

  it('with trusted clients, authenticates on any HOST', async () => {
    const { logger } = captureLogger();

    const setup = setUpAuthentication(
      testConfig({ host: '0.0.0.0', publicBaseUrl: 'https://cds.example.org' }),
      {
        logger,
        clients: [client],
      },
    );

    expect(setup.authenticated).toBe(true);
    expect(
      await setup.authenticator.authenticate({
        authorization: undefined,
        url: 'https://cds.example.org/cds-services',
      }),
    ).toBeUndefined();
  });

  it('warns when trusted clients are configured but PUBLIC_BASE_URL is plain http off loopback', () => {
    const { logger, entries } = captureLogger();

    setUpAuthentication(testConfig({ host: '0.0.0.0', publicBaseUrl: 'http://cds.example.org' }), {
      logger,
      clients: [client],
    });

    expect(entries.some((e) => e.level === 'warn' && /PUBLIC_BASE_URL is not https/.test(e.message))).toBe(
      true,
    );
  });

  it('reads TRUSTED_CLIENTS_FILE and stops on a bad one', () => {
    const { logger } = captureLogger();

    expect(() =>
      setUpAuthentication(testConfig({ trustedClientsFile: '/nonexistent.json' }), { logger }),
    ).toThrow(/TRUSTED_CLIENTS_FILE \/nonexistent.json cannot be read/);
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest, including IPv4-mapped and URL-normalized forms', () => {
    for (const h of [
      '127.0.0.1',
      '127.255.255.254',
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '[::ffff:7f00:1]',
    ]) {
      expect(isLoopbackHost(h)).toBe(true);
    }
    for (const h of [
      '0.0.0.0',
      '::',
      '128.0.0.1',
      '10.0.0.1',
      'localhost.example.com',
      '::ffff:10.0.0.1',
      '169.254.169.254',
    ]) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });
});
