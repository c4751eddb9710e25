/**
 * Card uuids: UUIDv7 (RFC 9562), time-ordered. The audit trail indexes cards by uuid, and random v4 keys landing all
 * over that B-tree cost more than the rest of a card's row (~30 µs of SQLite time per order-sign call; ~1 µs when the
 * keys arrive in time order). The random part comes from a pool filled in bulk: the uuid package's default source
 * asks the OS for 16 bytes per uuid, which cost as much as the index saved.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const UUID_BYTES = 16;
const POOL_UUIDS = 256;
const pool = new Uint8Array(UUID_BYTES * POOL_UUIDS);
let next = pool.length;

function randomBytes16(): Uint8Array {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + UUID_BYTES);
  next += UUID_BYTES;
  return bytes;
}

/** A new card uuid: its first 48 bits are the issue time in milliseconds, the rest random (74 bits). */
export function cardUuid(): string {
  return v7({ random: randomBytes16() });
}
