/**
 * A bound on concurrent tasks per key, with two priorities. The composition root uses it for the EHR's FHIR
 * servers (one key per origin): our own bursts never flood a hospital's server, and required prefetch reads go
 * before optional ones (src/prefetch/priority.ts).
 */

/** Who a task is, for a `ConcurrencyLimit` that gives some tasks precedence. */
export interface RunOptions {
  /**
   * `'high'` (the default) takes the next free slot before any `'low'` task. A `'low'` task starts only while no
   * `'high'` task waits and more than the limit's `lowPriorityReserve` slots are free, and it may be preempted.
   */
  readonly priority?: 'high' | 'low';
  /**
   * `'high'` only: once this fires while the task still waits, the newest running `'low'` task of its key is told
   * to stop (its `preempted` signal aborts), and its slot goes to the waiting `'high'` tasks when it settles.
   */
  readonly urgent?: AbortSignal;
}

export interface ConcurrencyLimitOptions {
  /** Slots a `'low'` task may never take: kept free for `'high'` tasks arriving (0: none). */
  readonly lowPriorityReserve?: number;
}

/** A queued task: `start` gives it its slot (counts it running). */
interface Waiter {
  readonly start: () => void;
}

/** One key's slots: how many run, who waits (high before low), and the low tasks running, oldest first. */
interface KeyState {
  running: number;
  readonly high: Waiter[];
  readonly low: Waiter[];
  /** Running low tasks not yet told to stop, in start order (a Set keeps insertion order). */
  readonly preemptible: Set<AbortController>;
}

/** Given to tasks that can never be preempted. */
const NEVER_PREEMPTED = new AbortController().signal;

/**
 * Bounds concurrent requests per key (a FHIR server's origin): at most `max` run at once, the rest wait in
 * order, and a waiter whose signal aborts leaves the queue. Protects the EHR's FHIR server from our own bursts.
 *
 * Two priorities (a prefetch key a service requires is `'high'`, an optional one `'low'`): waiting high tasks get
 * free slots first, low tasks leave `lowPriorityReserve` slots free, and a high task that becomes urgent while it
 * waits preempts a running low one. Neither cockatiel's bulkhead nor p-limit has priorities (one FIFO queue
 * each), hence this class. Without options, every task is high: one FIFO queue, as before.
 */
export class ConcurrencyLimit {
  private readonly keys = new Map<string, KeyState>();
  private readonly lowPriorityReserve: number;

  constructor(
    private readonly max: number,
    options: ConcurrencyLimitOptions = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
    const reserve = options.lowPriorityReserve ?? 0;
    if (!Number.isInteger(reserve) || reserve < 0 || reserve >= max)
      throw new RangeError('lowPriorityReserve must be an integer from 0 to max - 1');
    this.lowPriorityReserve = reserve;
  }

  /**
   * Runs `task` once `key` has a slot for it. `preempted` aborts only for a low task whose slot an urgent high
   * task claims: the task should stop then (its slot is freed when it settles).
   */
  async run<T>(
    key: string,
    signal: AbortSignal | undefined,
    task: (preempted: AbortSignal) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    const low = options.priority === 'low';
    // Created before the slot is granted: a low task is preemptible from the moment it holds a slot.
    const preemption = low ? new AbortController() : undefined;
    await this.acquire(key, signal, preemption, options.urgent);
    const state = this.stateOf(key);
    try {
      return await task(preemption?.signal ?? NEVER_PREEMPTED);
    } finally {
      if (preemption) state.preemptible.delete(preemption);
      this.release(key);
    }
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: 0, high: [], low: [], preemptible: new Set() };
      this.keys.set(key, state);
    }
    return state;
  }

  private hasRoom(state: KeyState, low: boolean): boolean {
    if (!low) return state.high.length === 0 && state.running < this.max;
    return (
      state.high.length === 0 && state.low.length === 0 && state.running < this.max - this.lowPriorityReserve
    );
  }

  /** Resolves once the task holds a slot of `key`; a low task (`preemption` given) is then preemptible. */
  private acquire(
    key: string,
    signal: AbortSignal | undefined,
    preemption: AbortController | undefined,
    urgent: AbortSignal | undefined,
  ): Promise<void> {
    signal?.throwIfAborted();
    const low = preemption !== undefined;
    const state = this.stateOf(key);
    const granted = (): void => {
      state.running += 1;
      if (preemption) state.preemptible.add(preemption);
    };
    if (this.hasRoom(state, low)) {
      granted();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = low ? state.low : state.high;
      const onUrgent = (): void => this.preemptNewestLow(state);
      const leave = (): void => {
        signal?.removeEventListener('abort', onAbort);
        urgent?.removeEventListener('abort', onUrgent);
      };
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        leave();
        this.pump(key, state);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        start: () => {
          leave();
          granted();
          resolve();
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!low && urgent) {
        if (urgent.aborted) onUrgent();
        else urgent.addEventListener('abort', onUrgent, { once: true });
      }
    });
  }

  /**
   * Tells the newest running low task to stop: its call came last, so its own deadline would keep the slot
   * longest, and the FHIR server has spent the least on it.
   */
  private preemptNewestLow(state: KeyState): void {
    const newest = [...state.preemptible].at(-1);
    if (!newest) return;
    state.preemptible.delete(newest);
    newest.abort(new DOMException('A required read needs this slot', 'AbortError'));
  }

  private release(key: string): void {
    const state = this.stateOf(key);
    state.running -= 1;
    this.pump(key, state);
  }

  /** Hands free slots to waiters, high first; forgets a key with nothing running or waiting. */
  private pump(key: string, state: KeyState): void {
    while (state.running < this.max && state.high.length > 0) state.high.shift()!.start();
    while (
      state.high.length === 0 &&
      state.low.length > 0 &&
      state.running < this.max - this.lowPriorityReserve
    )
      state.low.shift()!.start();
    if (state.running === 0 && state.high.length === 0 && state.low.length === 0) this.keys.delete(key);
  }
}
