/**
 * One JSON line per event on stdout. Request context (request id, service, hookInstance) is added to every line.
 * Keys that could carry secrets or PHI are redacted defensively, but the rule is simpler: never log them.
 */
import winston from 'winston';
import { currentRequestContext } from './requestContext.js';

export type Logger = winston.Logger;

const REDACTED_KEYS = new Set([
  'authorization',
  'access_token',
  'accesstoken',
  'token',
  'jwt',
  'password',
  'apikey',
  'api-key',
  'api_key',
  'fhirauthorization',
  'prefetch',
  'context',
  'name',
  'birthdate',
  'address',
  'telecom',
  'patientid',
]);

const addRequestContext = winston.format((info) => {
  const ctx = currentRequestContext();
  if (ctx) {
    info.requestId ??= ctx.requestId;
    if (ctx.serviceId) info.serviceId ??= ctx.serviceId;
    if (ctx.hookInstance) info.hookInstance ??= ctx.hookInstance;
  }
  return info;
});

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (REDACTED_KEYS.has(key.toLowerCase())) info[key] = '[redacted]';
  }
  return info;
});

export function createLogger(level = 'info', silent = false): Logger {
  return winston.createLogger({
    level,
    silent,
    format: winston.format.combine(
      addRequestContext(),
      redact(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
