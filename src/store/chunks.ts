/** Rows per INSERT: keeps bound parameters well under SQLite's (32 766) and PostgreSQL's (65 535) limits. */
export const INSERT_CHUNK = 200;

/** Values per `IN` list of a query: SQLite caps the variables of one statement, and these lists have no bound. */
export const IN_LIST_CHUNK = 500;

export function chunks<T>(items: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
