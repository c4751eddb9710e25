import { type Config, loadConfig } from '../../src/config.js';

/** A config for tests: the defaults with selected overrides, on port 0. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), port: 0, ...overrides };
}
