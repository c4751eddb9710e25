import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ReplayGuard } from './types.js';

/**
 * In-memory replay guard for a single instance. Bounded: when full, the entry closest to expiry is dropped
 * (it could only be replayed within its few remaining seconds), with a warning, rather than refusing valid EHRs.
 * Each entry is keyed by a 128-bit digest of issuer and jti, so it takes the same ~100 bytes whatever the token
 * carried (jti strings straight from a token can be long, or built of many pieces): ~10 MB for 100,000.
 */
export class MemoryReplayGuard implements ReplayGuard {
  // Insertion order is close to expiry order because lifetimes are capped, so sweeping from the front is cheap.
  private readonly seen = new Map<string, number>();
  private warnedFull = false;

  constructor(
    private readonly maxEntries = 100_000,
    private readonly logger?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  rememberJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    return Promise.resolve(this.remember(issuer, jti, expiresAt));
  }

  private remember(issuer: string, jti: string, expiresAt: Date): boolean {
    const now = this.clock();
    this.sweep(now);
    const key = createHash('sha256')
      .update(issuer)
      .update('\u0000')
      .update(jti)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.logger?.warn('jti replay cache full; dropping the oldest entries', {
          maxEntries: this.maxEntries,
        });
      }
    }
    this.seen.set(key, expiresAt.getTime());
    return true;
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(key);
    }
  }
}
