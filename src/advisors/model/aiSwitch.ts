/**
 * The kill switch: model advice can be turned off per CDS service at runtime. The admin API
 * (`PUT /admin/services/{id}/ai`) and the store's durable settings table implement this interface; the advisor
 * only asks. An implementation should answer from a cache (synchronously, or a promise that is usually already
 * settled); the advisor bounds the wait by the hook's deadline, and an answer that fails counts as "off".
 * The store's `getAiEnabled` fits as is: `{ isEnabled: (id) => store.getAiEnabled(id) }`.
 */
export interface AiSwitch {
  isEnabled(serviceId: string): boolean | Promise<boolean>;
}

/** Process-local switch: everything on unless turned off. For tests, tools and single-instance use. */
export class InMemoryAiSwitch implements AiSwitch {
  private readonly disabled = new Set<string>();

  isEnabled(serviceId: string): boolean {
    return !this.disabled.has(serviceId);
  }

  setEnabled(serviceId: string, enabled: boolean): void {
    if (enabled) this.disabled.delete(serviceId);
    else this.disabled.add(serviceId);
  }
}
