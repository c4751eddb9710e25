/**
 * The model lane's health as an operator needs it. A configuration error repeats on every call until someone
 * changes a setting or a role assignment: after `tripAfter` in a row (400/404/422 that no negotiation could
 * mend → misconfigured; 401/403 → unauthorised) the lane stops calling the model, says so in one loud log line, in
 * `/readyz` and on the dashboard, and re-checks the endpoint every `recheckMs` with a synthetic patient (no real
 * data). The first call that succeeds makes it usable again. Slowness and 5xx are the circuit breaker's business.
 */
import type { Logger } from '../../../logger.js';
import { KIND_FACTS } from '../../../modelEndpoint.js';
import type { CallFailure, LaneProblem, ProviderError } from './failures.js';
import type { Capabilities } from './negotiate.js';
import type { ModelPort } from './port.js';

export type LaneState = 'usable' | LaneProblem;

/**
 * What `/readyz` and the dashboard show. No key, no endpoint host (readiness is not authenticated), no provider
 * message, no patient data; the model's name is public anyway (the model fact sheet).
 */
export interface LaneReport {
  readonly state: LaneState;
  readonly since: string;
  readonly kind: string;
  readonly model: string;
  readonly auth: 'api-key' | 'entra-id';
  /** The model that last answered, as the response named it. */
  readonly answeredBy: string | undefined;
  readonly profile: Capabilities['profile'];
  readonly outputMode: Capabilities['outputMode'];
  readonly lastError?: { readonly httpStatus?: number; readonly code?: string; readonly param?: string };
  /** What to change, in plain words, while the lane is not usable. */
  readonly fix?: string;
}

export interface LaneOptions {
  readonly tripAfter: number;
  readonly recheckMs: number;
}

/** What to change, from what the endpoint said. */
export function fixFor(port: ModelPort, provider: ProviderError | undefined, tokenScope?: string): string {
  const facts = KIND_FACTS[port.kind];
  const name = port.kind === 'azure-openai' ? 'deployment' : 'model';
  const notFound = `Nothing answers at this URL for ${name} "${port.model}" on a ${facts.title}: check MODEL_NAME (the ${name} name), MODEL_ENDPOINT and MODEL_ENDPOINT_KIND (now ${port.kind}).`;
  switch (provider?.httpStatus) {
    case 401:
      return port.auth === 'api-key'
        ? 'The endpoint refused the key: check MODEL_API_KEY (or AZURE_OPENAI_API_KEY) against the keys of this resource.'
        : `The endpoint refused the Entra ID token: check the token scope${tokenScope ? ` (${tokenScope})` : ''} (MODEL_TOKEN_SCOPE) and that the identity belongs to this tenant.`;
    case 403:
      return `The identity is known but not allowed: grant it the "${facts.role}" role on the resource, or check the resource's network rules.`;
    case 404:
      return notFound;
    case 400:
    case 422:
      // Foundry Models answers an unknown model name with 400 unknown_model, not 404.
      if (provider.code && /model|deployment/i.test(provider.code)) return notFound;
      return `The endpoint refused the request${provider.param ? ` (parameter ${provider.param})` : ''}${provider.code ? `, code ${provider.code}` : ''}: check MODEL_API_VERSION and that the ${name} is a chat-completions model.`;
    case undefined:
    default:
      return 'Check MODEL_ENDPOINT, MODEL_ENDPOINT_KIND, MODEL_NAME and the credentials.';
  }
}

export class ModelLane {
  private current: LaneState = 'usable';
  private since = new Date();
  private inARow = 0;
  private last: CallFailure | undefined;
  private answeredBy: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly port: ModelPort,
    private readonly capabilities: () => Capabilities,
    private readonly logger: Logger,
    private readonly options: LaneOptions,
    /** One call with a synthetic patient; resolves when the endpoint answered. */
    private readonly probe: () => Promise<void>,
    private readonly onChange: (state: LaneState) => void = () => undefined,
    private readonly tokenScope?: string,
  ) {}

  get state(): LaneState {
    return this.current;
  }

  succeeded(answeredBy: string): void {
    this.inARow = 0;
    if (answeredBy) this.answeredBy = answeredBy;
    if (this.current === 'usable') return;
    this.set('usable');
    this.logger.warn('model lane usable again: model advice resumes', {
      kind: this.port.kind,
      model: this.port.model,
      answeredBy: this.answeredBy,
    });
  }

  failed(failure: CallFailure): void {
    if (!failure.lane) return;
    this.last = failure;
    this.inARow++;
    if (this.current !== 'usable' || this.inARow < this.options.tripAfter) return;
    this.set(failure.lane);
    // The one loud line: what broke and what to change, at error level so it is seen.
    this.logger.error(
      `MODEL LANE ${failure.lane.toUpperCase()}: model advice stopped (rule cards continue). ${fixFor(this.port, failure.provider, this.tokenScope)}`,
      {
        kind: this.port.kind,
        endpointHost: this.port.endpointHost,
        model: this.port.model,
        auth: this.port.auth,
        httpStatus: failure.provider?.httpStatus,
        code: failure.provider?.code,
        param: failure.provider?.param,
        recheckSeconds: Math.round(this.options.recheckMs / 1000),
      },
    );
  }

  report(): LaneReport {
    const caps = this.capabilities();
    const provider = this.last?.provider;
    return {
      state: this.current,
      since: this.since.toISOString(),
      kind: this.port.kind,
      model: this.port.model,
      auth: this.port.auth,
      answeredBy: this.answeredBy,
      profile: caps.profile,
      outputMode: caps.outputMode,
      ...(provider && {
        lastError: {
          ...(provider.httpStatus !== undefined && { httpStatus: provider.httpStatus }),
          ...(provider.code !== undefined && { code: provider.code }),
          ...(provider.param !== undefined && { param: provider.param }),
        },
      }),
      ...(this.current !== 'usable' && { fix: fixFor(this.port, provider, this.tokenScope) }),
    };
  }

  /** Re-checks now (tests, the operator) instead of at the next tick. */
  async recheck(): Promise<void> {
    if (this.checking || this.current === 'usable') return;
    this.checking = true;
    try {
      await this.probe();
    } catch {
      // The probe's outcome reached succeeded()/failed() through the advisor; a failure keeps the lane as it is.
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private set(state: LaneState): void {
    this.current = state;
    this.since = new Date();
    this.onChange(state);
    if (state === 'usable') {
      this.close();
    } else if (!this.timer) {
      this.timer = setInterval(() => void this.recheck(), this.options.recheckMs);
      this.timer.unref();
    }
  }
}
