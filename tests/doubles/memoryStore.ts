/**
 * An in-process store for unit tests of code that needs a `Store` but does not test storage itself. Behaves like
 * the SQL store where callers can see it (idempotent feedback, flags, the AI switch, jti replay), simply.
 */
/* eslint-disable @typescript-eslint/require-await -- a test double: async bodies keep throws as rejections, like the real store */
import { randomBytes } from 'node:crypto';
import type { AiMode } from '../../src/advisors/types.js';
import { AppError } from '../../src/errors.js';
import { feedbackItemKey, normalizeTimestamp } from '../../src/store/feedback.js';
import type {
  AuditWriteOutcome,
  ChainReport,
  FeedbackItem,
  FeedbackWriteResult,
  InvocationRecord,
  OverrideScope,
  SelectionOverride,
  Store,
  StoredFeedback,
} from '../../src/store/types.js';

function unavailable(): AppError {
  return new AppError('service_unavailable', 'The store is unavailable; retry later');
}

export class MemoryStore implements Store {
  readonly invocations: InvocationRecord[] = [];
  readonly feedback: StoredFeedback[] = [];
  /** Which client sent each feedback item (by seq), as the SQL store keeps it. */
  private readonly feedbackClients = new Map<number, string | undefined>();
  readonly aiModes = new Map<string, AiMode>();
  readonly pseudonymKey = randomBytes(32).toString('base64url');
  /** Set false to simulate an outage: ping fails and writes answer 503. */
  healthy = true;
  private readonly feedbackKeys = new Set<string>();
  private readonly jtis = new Set<string>();

  readonly audit = {
    record: (invocation: InvocationRecord): void => {
      this.invocations.push(invocation);
    },
    recordDurably: async (invocation: InvocationRecord): Promise<AuditWriteOutcome> => {
      this.invocations.push(invocation);
      return 'written';
    },
    flush: async (): Promise<void> => {},
  };

  async recordFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
    clientPseudonym?: string,
  ): Promise<FeedbackWriteResult> {
    if (!this.healthy) throw unavailable();
    let stored = 0;
    let flagged = 0;
    const known = new Set(this.invocations.flatMap((i) => i.cards.map((c) => c.uuid)));
    for (const item of items) {
      const key = feedbackItemKey(serviceId, item);
      if (this.feedbackKeys.has(key)) continue;
      this.feedbackKeys.add(key);
      const flag = known.has(item.card) ? null : 'unknown-card';
      if (flag) flagged += 1;
      stored += 1;
      this.feedbackClients.set(this.feedback.length + 1, clientPseudonym);
      this.feedback.push({
        seq: this.feedback.length + 1,
        serviceId,
        cardUuid: item.card,
        outcome: item.outcome,
        acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
        overrideReason: item.overrideReason?.reason ?? null,
        userComment: item.overrideReason?.userComment ?? null,
        outcomeTimestamp: item.outcomeTimestamp,
        outcomeAt: normalizeTimestamp(item.outcomeTimestamp),
        receivedAt: new Date().toISOString(),
        flag,
      });
    }
    return { stored, duplicates: items.length - stored, flagged };
  }

  async selectionOverrides(scope: OverrideScope, since: Date): Promise<readonly SelectionOverride[]> {
    const out: SelectionOverride[] = [];
    for (const i of this.invocations) {
      if (i.hook !== 'order-select' || i.startedAt < since) continue;
      if (i.patientPseudonym !== scope.patientPseudonym || i.userPseudonym !== scope.userPseudonym) continue;
      if (i.clientPseudonym !== scope.clientPseudonym) continue;
      for (const c of i.cards) {
        if (c.findingKey === undefined || !c.draftOrders?.length) continue;
        for (const f of this.feedback) {
          const reason = f.overrideReason;
          if (f.cardUuid !== c.uuid || f.outcome !== 'overridden' || !reason) continue;
          if (f.serviceId !== c.serviceId || this.feedbackClients.get(f.seq) !== i.clientPseudonym) continue;
          out.push({
            cardUuid: c.uuid,
            findingKey: c.findingKey,
            draftOrders: c.draftOrders,
            ...(c.covers?.length && { covers: c.covers }),
            indicator: c.indicator,
            reason,
            overriddenAt: f.outcomeAt,
          });
        }
      }
    }
    return out.sort((a, b) => (a.overriddenAt < b.overriddenAt ? 1 : -1));
  }

  async getAiMode(serviceId: string): Promise<AiMode> {
    return this.aiModes.get(serviceId) ?? 'on';
  }

  async setAiMode(serviceId: string, mode: AiMode): Promise<void> {
    if (!this.healthy) throw unavailable();
    this.aiModes.set(serviceId, mode);
  }

  async rememberJti(issuer: string, jti: string): Promise<boolean> {
    if (!this.healthy) throw unavailable();
    const key = `${issuer}\n${jti}`;
    if (this.jtis.has(key)) return false;
    this.jtis.add(key);
    return true;
  }

  async verifyChain(): Promise<ChainReport> {
    return {
      ok: true,
      checked: { invocations: this.invocations.length, feedback: this.feedback.length },
      breaks: [],
    };
  }

  async ping(): Promise<boolean> {
    return this.healthy;
  }

  async close(): Promise<void> {}
}
