/**
 * Card uuids: UUIDv7 (RFC 9562), time-ordered, so the audit trail's uuid index grows at its end instead of taking
 * random keys all over its B-tree. The random part comes from a pool filled in bulk rather than one OS call per
 * uuid. Measurements: docs/performance.md.
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
