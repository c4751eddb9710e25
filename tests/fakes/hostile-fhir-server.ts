/**
 * A FHIR server that misbehaves on purpose, for the limits and SSRF tests: a real `node:http` server on a loopback
 * address (127.0.0.1, or 127.0.0.2 as "another host"), answering every request with whatever the test scripted —
 * an endless body, a 100 MB body, a trickle, a gzip bomb, a redirect. Bodies are generated as they are sent, so the
 * server itself holds almost nothing in memory. Every request it receives is recorded, Authorization included.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface ReceivedRequest {
  readonly url: string;
  readonly authorization: string | undefined;
}

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

export interface HostileFhirServer {
  /** `http://HOST:PORT` — the server answers on every path. */
  readonly origin: string;
  readonly received: ReceivedRequest[];
  /** Bytes written to its connections so far, headers included. */
  readonly bytesSent: () => number;
  respond: Responder;
  close(): Promise<void>;
}

const FHIR_JSON = { 'content-type': 'application/fhir+json' };

/** Entries of a searchset, written again and again: valid FHIR JSON for as long as the body goes on. */
const ENTRY = Buffer.from('{"resource":{"resourceType":"Basic","id":"x","code":{"text":"padding"}}},');
const ENTRIES = Buffer.concat(Array.from({ length: 1024 }, () => ENTRY));
const SEARCHSET_START = Buffer.from('{"resourceType":"Bundle","type":"searchset","entry":[');

export function json(resource: unknown, status = 200): Responder {
  return (_req, res) => {
    res.writeHead(status, FHIR_JSON).end(JSON.stringify(resource));
  };
}

export const emptySearchset = { resourceType: 'Bundle', type: 'searchset', entry: [] };

/** Writes a searchset of `total` bytes (Infinity: without end) as fast as the connection takes it. */
function pump(res: ServerResponse, total: number): void {
  let sent = SEARCHSET_START.length;
  res.write(SEARCHSET_START);
  const more = (): void => {
    while (!res.destroyed && sent < total) {
      const chunk = total - sent >= ENTRIES.length ? ENTRIES : ENTRIES.subarray(0, total - sent);
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
    if (!res.destroyed && Number.isFinite(total)) res.end();
  };
  res.on('drain', more);
  more();
}

/** A searchset body that never ends, sent as fast as it is read. */
export function endlessBody(): Responder {
  return (_req, res) => {
    res.writeHead(200, FHIR_JSON);
    pump(res, Infinity);
  };
}

/** A searchset body without end at a steady pace: `chunkBytes` every `everyMs`. */
export function pacedBody(chunkBytes: number, everyMs: number): Responder {
  const chunk = Buffer.concat(Array.from({ length: Math.ceil(chunkBytes / ENTRY.length) }, () => ENTRY));
  return (_req, res) => {
    res.writeHead(200, FHIR_JSON);
    res.write(SEARCHSET_START);
    const timer = setInterval(() => res.write(chunk), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** A body of `bytes` bytes sent fast; chunked, or with its Content-Length announced. */
export function hugeBody(bytes: number, announceLength = false): Responder {
  return (_req, res) => {
    res.writeHead(200, announceLength ? { ...FHIR_JSON, 'content-length': String(bytes) } : FHIR_JSON);
    pump(res, bytes);
  };
}

/** Headers at once, then one byte every `everyMs` — never a complete body. */
export function trickle(everyMs: number): Responder {
  return (_req, res) => {
    res.writeHead(200, FHIR_JSON);
    res.write('{');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** `resource` gzip-compressed, as a server does for a client that accepts gzip. */
export function gzipped(resource: unknown): Responder {
  return (_req, res) => {
    res
      .writeHead(200, { ...FHIR_JSON, 'content-encoding': 'gzip' })
      .end(gzipSync(Buffer.from(JSON.stringify(resource))));
  };
}

/** A small gzip body that inflates to `inflatedBytes` of valid FHIR JSON (a compression bomb). */
export function gzipBomb(inflatedBytes: number): Responder {
  const json = Buffer.alloc(inflatedBytes, ' ');
  SEARCHSET_START.copy(json);
  json.write(']}', inflatedBytes - 2);
  const body = gzipSync(json);
  return (_req, res) => {
    res.writeHead(200, { ...FHIR_JSON, 'content-encoding': 'gzip' }).end(body);
  };
}

export function redirect(location: string, status = 302): Responder {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}

/** Starts a server on `host` (a loopback address), port 0; `respond` can be changed at any time. */
export async function startHostileFhirServer(
  respond: Responder = json(emptySearchset),
  host = '127.0.0.1',
): Promise<HostileFhirServer> {
  const received: ReceivedRequest[] = [];
  const state = { respond };
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  const server = createServer((req, res) => {
    received.push({ url: req.url ?? '', authorization: req.headers.authorization });
    state.respond(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closedBytes += socket.bytesWritten;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    received,
    bytesSent: () => [...sockets].reduce((sum, s) => sum + s.bytesWritten, closedBytes),
    get respond() {
      return state.respond;
    },
    set respond(value: Responder) {
      state.respond = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
