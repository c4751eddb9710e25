/**
 * The physical limit: an Express app on the same Node that only parses the JSON body (same limit and media
 * types as the service) and answers `{ cards: [] }`. No validation, no rules, no logging, no audit.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';

const app = express();
app.disable('x-powered-by');
app.use(
  express.json({
    limit: 1024 * 1024,
    type: ['application/json', 'application/fhir+json', 'application/*+json'],
  }),
);
app.post('/cds-services/:id', (_req, res) => {
  res.json({ cards: [] });
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ message: 'listening', port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
