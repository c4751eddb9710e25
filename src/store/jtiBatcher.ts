/**
 * Group commit for the JWT replay table on SQLite. Every authenticated request remembers its jti; on SQLite each
 * write is its own fsync'd transaction on one connection, which caps authenticated requests at a few hundred per
 * second. Calls arriving while a write is in progress wait and go together in the next transaction: one fsync for
 * many. An idle batcher writes at once, so a lone request waits no longer than before.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { insertJti } from './settings.js';
import type { JtiEntry } from './writer/protocol.js';

interface Pending extends JtiEntry {
  readonly resolve: (fresh: boolean) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/** Remembers each entry in order, in one transaction: a jti twice in one batch is fresh the first time only. */
export function insertJtiBatch(db: Kysely<Database>, entries: readonly JtiEntry[]): Promise<boolean[]> {
  return db.transaction().execute(async (trx) => {
    const fresh: boolean[] = [];
    for (const e of entries) fresh.push(await insertJti(trx, e.issuer, e.jti, e.expiresAt));
    return fresh;
  });
}

/** Writes one batch and says which entries were fresh (here, or on the store's writer thread). */
export type JtiBatchWriter = (entries: readonly JtiEntry[]) => Promise<readonly boolean[]>;

export class JtiBatcher {
  private pending: Pending[] = [];
  private running = false;

  constructor(private readonly write: JtiBatchWriter) {}

  remember(issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ issuer, jti, expiresAt, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, MAX_BATCH);
        this.pending = this.pending.slice(batch.length);
        try {
          const fresh = await this.write(
            batch.map(({ issuer, jti, expiresAt }) => ({ issuer, jti, expiresAt })),
          );
          batch.forEach((p, i) => p.resolve(fresh[i] ?? false));
        } catch (error) {
          batch.forEach((p) => p.reject(error));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
