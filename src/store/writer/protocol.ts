/** Messages between the store and its writer thread (structured-cloned: plain data and Dates only). */
import type { InvocationRecord } from '../types.js';

/** What the thread needs to open its own connection to the store's database. */
export interface WriterThreadOptions {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly pgSchema: string | undefined;
  readonly pgTimeoutMs: number | undefined;
  readonly logLevel: string;
  readonly logSilent: boolean;
}

export interface JtiEntry {
  readonly issuer: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

/** What the store asks of the thread. */
export type WriterPayload =
  | { readonly op: 'invocations'; readonly records: readonly InvocationRecord[] }
  | { readonly op: 'jti'; readonly entries: readonly JtiEntry[] }
  | { readonly op: 'ping' }
  | { readonly op: 'close' };

/** A payload with the id its reply carries back. */
export type WriterRequest = WriterPayload & { readonly id: number };

export type WriterReply =
  | { readonly id: number; readonly ok: true; readonly fresh?: readonly boolean[] }
  | {
      readonly id: number;
      readonly ok: false;
      readonly message: string;
      /** Records from the front of an `invocations` request committed before the failure. */
      readonly written?: number;
    };
