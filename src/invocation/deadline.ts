/**
 * The response budget of one hook call (ADVICE_BUDGET_MS). Every slow step (FHIR fetches, the model) gets what is
 * left of it, so the EHR never waits past the budget.
 */
export class Deadline {
  private readonly endsAt: number;

  constructor(
    readonly budgetMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.endsAt = clock() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock());
  }

  elapsedMs(): number {
    return this.budgetMs - (this.endsAt - this.clock());
  }

  /** An AbortSignal that fires `reserveMs` before the deadline (time kept back to build and send the answer). */
  signal(reserveMs = 0, parent?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(Math.max(1, Math.floor(this.remainingMs() - reserveMs)));
    return parent ? AbortSignal.any([parent, timeout]) : timeout;
  }
}
