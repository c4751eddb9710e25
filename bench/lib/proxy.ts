/**
 * A small round-robin HTTP proxy on 127.0.0.1 for the scale-out soak: each request goes to the next instance in
 * turn, over keep-alive connections; the response streams back unchanged. Counts what each instance answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  readonly url: string;
  /** Requests forwarded to each target, in target order. */
  readonly forwarded: number[];
  /** Requests that failed at the proxy (target unreachable): answered 502. */
  readonly failed: number;
  setTargets(targets: readonly string[]): void;
  close(): Promise<void>;
}

export async function startProxy(): Promise<Proxy> {
  let targets: URL[] = [];
  const forwarded: number[] = [];
  let failed = 0;
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    if (targets.length === 0) {
      res.writeHead(503).end();
      return;
    }
    const index = next++ % targets.length;
    const target = targets[index] as URL;
    forwarded[index] = (forwarded[index] ?? 0) + 1;
    const upstream = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      failed++;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    get failed() {
      return failed;
    },
    setTargets(list) {
      targets = list.map((t) => new URL(t));
      forwarded.length = 0;
      for (let i = 0; i < targets.length; i++) forwarded.push(0);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
