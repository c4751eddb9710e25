/**
 * The AI switch: model advice per CDS service is off, shadow (the model is asked, its advice audited and never
 * shown) or on, changed at runtime. The admin API (`PUT /admin/services/{id}/ai`) and the store's durable settings
 * implement this interface; the advisor only asks. An implementation should answer from a cache (synchronously,
 * or a promise that is usually already settled); the advisor bounds the wait by the hook's deadline, and an
 * answer that fails counts as `off`. The store fits as is: `{ mode: (id) => store.getAiMode(id) }`.
 */
import type { AiMode } from '../types.js';

export interface AiSwitch {
  mode(serviceId: string): AiMode | Promise<AiMode>;
}

/** Process-local switch: everything on unless set otherwise. For tests, tools and single-instance use. */
export class InMemoryAiSwitch implements AiSwitch {
  private readonly modes = new Map<string, AiMode>();

  mode(serviceId: string): AiMode {
    return this.modes.get(serviceId) ?? 'on';
  }

  setMode(serviceId: string, mode: AiMode): void {
    this.modes.set(serviceId, mode);
  }

  setEnabled(serviceId: string, enabled: boolean): void {
    this.setMode(serviceId, enabled ? 'on' : 'off');
  }
}
