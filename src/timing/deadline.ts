/**
 * The response budget of one hook call (ADVICE_BUDGET_MS). Every slow step (FHIR fetches, the model) gets what is
 * left of it, so the EHR never waits past the budget.
 */
export class Deadline {
  private readonly endsAt: number;
  private readonly timers = new Set<NodeJS.Timeout>();

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
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        controller.abort(new DOMException('The hook call reached its deadline', 'TimeoutError'));
      },
      Math.max(1, Math.floor(this.remainingMs() - reserveMs)),
    );
    timer.unref();
    this.timers.add(timer);
    return parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  }

  /**
   * The call is answered: signals not yet fired never will. (AbortSignal.timeout cannot be cancelled: every answered
   * call left two timers to fire later, each building an exception with its stack nobody would read.)
   */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
