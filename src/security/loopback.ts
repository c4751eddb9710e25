/** Loopback detection, shared by the start-up rules, the SSRF guard and key-set URL checks. */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * True for `localhost` (and `*.localhost`, RFC 6761), 127.0.0.0/8, `::1` and IPv4-mapped loopback.
 * Accepts bracketed IPv6 as found in `URL.hostname`.
 */
export function isLoopbackHostname(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    // IPv4-mapped loopback, dotted (`::ffff:127.0.0.1`) or as `URL` prints it (`::ffff:7f00:1`).
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped?.[1] !== undefined) return mapped[1].startsWith('127.');
    return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
  }
  return false;
}
