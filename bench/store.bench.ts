/**
 * The store without HTTP, on SQLite and on the local PostgreSQL: audit records through the queue and the writer
 * thread (3 cards each), and JWT-id checks from 20 concurrent callers. Figures for docs/store.md.
 * Run: `npx tsx bench/store.bench.ts` (BENCH_STORE_RECORDS, default 20000).
 */
import { dropLocation, invocation, newLocation, openAt } from '../tests/int/store/helpers.js';

const RECORDS = Number(process.env.BENCH_STORE_RECORDS ?? 20_000);
const JTI_CALLERS = 20;
const JTI_PER_CALLER = 500;

console.log('| store | audit records written/s (3 cards each) | rememberJti calls/s (20 concurrent) |');
console.log('| --- | --: | --: |');
for (const dialect of ['sqlite', 'postgres'] as const) {
  const location = newLocation(dialect);
  const store = await openAt(location);
  try {
    const records = Array.from({ length: RECORDS }, () => invocation({}, 3));
    let t0 = performance.now();
    for (const record of records) store.audit.record(record);
    await store.audit.flush(300_000);
    const auditRate = RECORDS / ((performance.now() - t0) / 1000);

    const expiresAt = new Date(Date.now() + 600_000);
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: JTI_CALLERS }, async (_, caller) => {
        for (let i = 0; i < JTI_PER_CALLER; i++)
          await store.rememberJti('bench', `jti-${caller}-${i}`, expiresAt);
      }),
    );
    const jtiRate = (JTI_CALLERS * JTI_PER_CALLER) / ((performance.now() - t0) / 1000);
    console.log(`| ${dialect} | ${Math.round(auditRate)} | ${Math.round(jtiRate)} |`);
  } finally {
    await store.close();
    await dropLocation(location);
  }
}
