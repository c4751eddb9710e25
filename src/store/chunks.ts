/** Rows per INSERT: keeps bound parameters well under SQLite's (32 766) and PostgreSQL's (65 535) limits. */
export const INSERT_CHUNK = 200;

export function chunks<T>(items: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
