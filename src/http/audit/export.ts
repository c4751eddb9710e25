/**
 * CSV and NDJSON exports, written row by row to a stream as the paged scan yields them, honouring back-pressure:
 * a slow download holds one page in memory, never the whole range. Stops as soon as the client goes away.
 */
import type { Writable } from 'node:stream';
import type { StoredCard, StoredFeedback, StoredInvocation } from '../../store/types.js';
import type { ExportKind } from '../../store/read/queries.js';

export type ExportFormat = 'csv' | 'ndjson';

type Cell = string | number | null;

interface Columns<T> {
  readonly header: readonly string[];
  readonly cells: (row: T) => readonly Cell[];
}

const runOf = (row: StoredInvocation, advisor: 'rules' | 'model') =>
  row.advisors.find((a) => a.advisor === advisor);

// prettier-ignore
const COLUMNS: {
  readonly invocations: Columns<StoredInvocation>;
  readonly cards: Columns<StoredCard>;
  readonly feedback: Columns<StoredFeedback>;
} = {
  invocations: {
    header: [
      'seq', 'startedAt', 'serviceId', 'hook', 'hookInstance', 'outcome', 'durationMs', 'cardCount',
      'patientPseudonym', 'rulesStatus', 'rulesLatencyMs', 'modelStatus', 'modelLatencyMs', 'recordedAt',
    ],
    cells: (r) => [
      r.seq, r.startedAt, r.serviceId, r.hook, r.hookInstance, r.outcome, r.durationMs, r.cardCount,
      r.patientPseudonym, runOf(r, 'rules')?.status ?? null, runOf(r, 'rules')?.latencyMs ?? null,
      runOf(r, 'model')?.status ?? null, runOf(r, 'model')?.latencyMs ?? null, r.recordedAt,
    ],
  },
  cards: {
    header: [
      'uuid', 'issuedAt', 'serviceId', 'hookInstance', 'advisor', 'ruleId', 'model', 'promptVersion', 'indicator',
      'summary', 'evidence', 'suggestionUuids',
    ],
    cells: (r) => [
      r.uuid, r.issuedAt, r.serviceId, r.hookInstance, r.advisor, r.ruleId, r.model, r.promptVersion, r.indicator,
      r.summary, r.evidence.join(' '), r.suggestionUuids.join(' '),
    ],
  },
  feedback: {
    header: [
      'seq', 'receivedAt', 'outcomeAt', 'serviceId', 'cardUuid', 'outcome', 'overrideReasonSystem',
      'overrideReasonCode', 'overrideReasonDisplay', 'userComment', 'acceptedSuggestions', 'flag',
    ],
    cells: (r) => [
      r.seq, r.receivedAt, r.outcomeAt, r.serviceId, r.cardUuid, r.outcome, r.overrideReason?.system ?? null,
      r.overrideReason?.code ?? null, r.overrideReason?.display ?? null, r.userComment,
      r.acceptedSuggestions.join(' '), r.flag,
    ],
  },
};

/**
 * RFC 4180 quoting. Text that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab, CR) gets a
 * leading apostrophe: card summaries and clinician comments are untrusted text (OWASP "CSV injection").
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Resolves when the stream can take more, or false when it closed (the client went away). */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}

/** Writes every row; resolves with how many were written (fewer when the client disconnected). */
export async function writeExport<K extends ExportKind>(
  out: Writable,
  kind: K,
  format: ExportFormat,
  rows: AsyncIterable<Parameters<(typeof COLUMNS)[K]['cells']>[0]>,
): Promise<number> {
  const columns = COLUMNS[kind] as Columns<unknown>;
  let written = 0;
  const write = async (chunk: string): Promise<boolean> => {
    if (out.destroyed) return false;
    return out.write(chunk) || (await drained(out));
  };
  if (format === 'csv' && !(await write(csvLine(columns.header)))) return written;
  for await (const row of rows) {
    const line = format === 'csv' ? csvLine(columns.cells(row)) : `${JSON.stringify(row)}\n`;
    if (!(await write(line))) return written;
    written += 1;
  }
  return written;
}
