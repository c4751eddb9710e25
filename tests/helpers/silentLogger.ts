import { type Logger, createLogger } from '../../src/logger.js';

/** A logger that writes nothing: for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return createLogger('error', true);
}
