/**
 * A TCP proxy in front of the real PostgreSQL. Stopping it (closing the listener and cutting every connection)
 * is how the outage tests take the database away without touching the server other engineers use; `hang()` makes
 * it a database that accepts connections and never answers.
 */
import net from 'node:net';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<readonly [net.Socket, net.Socket]>();
  private listenPort = 0;
  private hanging = false;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get port(): number {
    return this.listenPort;
  }

  /** Listens (again on the same port after a stop), forwarding every connection. */
  async start(): Promise<void> {
    this.hanging = false;
    const server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.hanging) {
        // Accepted, never forwarded: the client waits for an answer that does not come.
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair = [client, upstream] as const;
      this.sockets.add(upstream);
      this.pairs.add(pair);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        this.pairs.delete(pair);
      });
      for (const socket of pair) {
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /**
   * A database that hangs: open connections stop carrying data both ways, new ones are accepted and never answered.
   * `stop()` then `start()` bring it back (cutting the hung connections, as a restarted database would).
   */
  hang(): void {
    this.hanging = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Refuses new connections and cuts the open ones, as a stopped database would. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.host = `127.0.0.1:${this.listenPort}`;
    return url.toString();
  }
}
