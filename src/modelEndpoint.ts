/**
 * Where the model lives: one endpoint URL, its kind (detected from the URL's shape, or named by
 * MODEL_ENDPOINT_KIND), a model or deployment name, and how to authenticate. Azure AI Foundry serves chat models
 * four ways; each kind is one adapter in `src/advisors/model/gateway/adapters/`. Read once at start, with
 * `src/config.ts`; a URL that names no kind stops the start with a message saying what to set.
 */

/** The four ways Azure AI Foundry serves a chat model. */
export const ENDPOINT_KINDS = ['azure-openai', 'openai-v1', 'foundry-models', 'serverless'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

export interface ModelEndpointConfig {
  readonly kind: EndpointKind;
  /** How the kind was chosen, for the start-up log and `npm run model:check`. */
  readonly kindFrom: 'url' | 'MODEL_ENDPOINT_KIND' | 'AZURE_OPENAI_ENDPOINT';
  /**
   * The URL requests go under: `…/openai` (azure-openai, then `/deployments/{d}/chat/completions`),
   * `…/openai/v1`, `…/models`, or the serverless endpoint's root (each then `/chat/completions`).
   */
  readonly baseUrl: string;
  /** The deployment name (azure-openai) or the model name sent in the body (the other kinds). */
  readonly model: string;
  readonly apiKey: string | undefined;
  /** The `api-version` query parameter; none for the v1 route unless set. */
  readonly apiVersion: string | undefined;
  /** Microsoft Entra ID scope for keyless auth. */
  readonly tokenScope: string;
  /** Sent only to reasoning models (`reasoning_effort`), when set. */
  readonly reasoningEffort: ReasoningEffort | undefined;
}

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';
export const AZURE_ML_SCOPE = 'https://ml.azure.com/.default';
/** The Azure AI Model Inference API version the Foundry Models and serverless routes are called with by default. */
export const DEFAULT_INFERENCE_API_VERSION = '2024-05-01-preview';

/** What an operator needs to know per kind: the default scope and the Azure role the identity needs. */
export const KIND_FACTS: Readonly<
  Record<EndpointKind, { readonly title: string; readonly scope: string; readonly role: string }>
> = {
  'azure-openai': {
    title: 'Azure OpenAI deployments route',
    scope: COGNITIVE_SERVICES_SCOPE,
    role: 'Cognitive Services OpenAI User',
  },
  'openai-v1': {
    title: 'Azure OpenAI v1 route (OpenAI-compatible)',
    scope: COGNITIVE_SERVICES_SCOPE,
    role: 'Cognitive Services OpenAI User (Azure OpenAI models) or Cognitive Services User (other Foundry models)',
  },
  'foundry-models': {
    title: 'Foundry Models (Azure AI Model Inference API)',
    scope: COGNITIVE_SERVICES_SCOPE,
    role: 'Cognitive Services User',
  },
  serverless: {
    title: 'serverless API endpoint (Azure AI Model Inference API)',
    scope: AZURE_ML_SCOPE,
    role: 'Azure AI Developer on the project (most serverless endpoints are used with their key)',
  },
};

export class ModelEndpointError extends Error {
  override readonly name = 'ModelEndpointError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** A kind from the URL's shape, or undefined when the shape does not say. */
export function detectKind(url: URL): EndpointKind | undefined {
  const pathname = url.pathname.replace(/\/+$/, '');
  if (/\/openai\/v1$/.test(pathname)) return 'openai-v1';
  if (/\/openai(\/deployments\/[^/]+)?$/.test(pathname)) return 'azure-openai';
  if (/\/models$/.test(pathname)) return 'foundry-models';
  const host = url.hostname.toLowerCase();
  if (pathname !== '') return undefined;
  if (host.endsWith('.models.ai.azure.com')) return 'serverless';
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com'))
    return 'azure-openai';
  if (host.endsWith('.services.ai.azure.com')) return 'foundry-models';
  return undefined;
}

/** The base URL a kind's requests go under, from the root of the endpoint (scheme, host, any path prefix). */
function baseUrlOf(kind: EndpointKind, url: URL): string {
  const root = `${url.origin}${url.pathname
    .replace(/\/+$/, '')
    .replace(/\/openai(\/v1|\/deployments\/[^/]+)?$/, '')
    .replace(/\/models$/, '')}`;
  switch (kind) {
    case 'azure-openai':
      return `${root}/openai`;
    case 'openai-v1':
      return `${root}/openai/v1`;
    case 'foundry-models':
      return `${root}/models`;
    case 'serverless':
      return root;
  }
}

/**
 * MODEL_ENDPOINT and its companions; undefined when MODEL_ENDPOINT is not set. The URL may be pasted as the portal
 * shows it: a trailing `/chat/completions` and an `api-version` query are understood.
 */
export function loadModelEndpoint(env: Env): ModelEndpointConfig | undefined {
  const raw = env.MODEL_ENDPOINT?.trim();
  if (!raw) return undefined;
  if (env.AZURE_OPENAI_ENDPOINT?.trim()) {
    throw new ModelEndpointError(
      'MODEL_ENDPOINT and AZURE_OPENAI_ENDPOINT are both set: keep one (MODEL_ENDPOINT serves every endpoint kind)',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ModelEndpointError('MODEL_ENDPOINT must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ModelEndpointError(`MODEL_ENDPOINT must use https: or http: (got "${url.protocol}")`);
  if (url.username || url.password || url.hash)
    throw new ModelEndpointError('MODEL_ENDPOINT must not carry user info or a fragment');
  // Managed-compute endpoints take a model-specific payload at /score, not chat completions (README).
  if (/\/score\/?$/.test(url.pathname) || url.hostname.toLowerCase().endsWith('.inference.ml.azure.com')) {
    throw new ModelEndpointError(
      'MODEL_ENDPOINT is a managed-compute /score endpoint: it takes a model-specific payload, not chat completions, and is not supported',
    );
  }
  const queryVersion = url.searchParams.get('api-version') ?? undefined;
  url.search = '';
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');

  const override = env.MODEL_ENDPOINT_KIND?.trim();
  let kind: EndpointKind;
  let kindFrom: ModelEndpointConfig['kindFrom'];
  if (override) {
    if (!(ENDPOINT_KINDS as readonly string[]).includes(override)) {
      throw new ModelEndpointError(
        `MODEL_ENDPOINT_KIND must be one of ${ENDPOINT_KINDS.join(', ')} (got "${override}")`,
      );
    }
    kind = override as EndpointKind;
    kindFrom = 'MODEL_ENDPOINT_KIND';
  } else {
    const detected = detectKind(url);
    if (!detected) {
      throw new ModelEndpointError(
        `MODEL_ENDPOINT does not say which kind of endpoint it is; set MODEL_ENDPOINT_KIND to one of ${ENDPOINT_KINDS.join(', ')}`,
      );
    }
    kind = detected;
    kindFrom = 'url';
  }

  const deploymentInPath = /\/openai\/deployments\/([^/]+)$/.exec(url.pathname)?.[1];
  const model = env.MODEL_NAME?.trim() || (deploymentInPath && decodeURIComponent(deploymentInPath));
  if (!model) {
    throw new ModelEndpointError(
      kind === 'azure-openai'
        ? 'MODEL_NAME is required with MODEL_ENDPOINT: the deployment name'
        : 'MODEL_NAME is required with MODEL_ENDPOINT: the model (or model deployment) name sent in the request body',
    );
  }
  const effort = env.MODEL_REASONING_EFFORT?.trim();
  if (effort && !(REASONING_EFFORTS as readonly string[]).includes(effort)) {
    throw new ModelEndpointError(
      `MODEL_REASONING_EFFORT must be one of ${REASONING_EFFORTS.join(', ')} (got "${effort}")`,
    );
  }
  const apiVersion =
    env.MODEL_API_VERSION?.trim() ||
    queryVersion ||
    (kind === 'azure-openai'
      ? DEFAULT_AZURE_OPENAI_API_VERSION
      : kind === 'openai-v1'
        ? undefined
        : DEFAULT_INFERENCE_API_VERSION);
  return {
    kind,
    kindFrom,
    baseUrl: baseUrlOf(kind, url),
    model,
    apiKey: env.MODEL_API_KEY?.trim() || undefined,
    apiVersion,
    tokenScope: env.MODEL_TOKEN_SCOPE?.trim() || KIND_FACTS[kind].scope,
    reasoningEffort: effort ? (effort as ReasoningEffort) : undefined,
  };
}

export const DEFAULT_AZURE_OPENAI_API_VERSION = '2024-10-21';

/** The `AZURE_OPENAI_*` settings of the contract, as the azure-openai kind. */
export interface AzureOpenAIConfig {
  readonly endpoint: string;
  readonly deployment: string;
  readonly apiKey: string | undefined;
  readonly apiVersion: string;
}

export function fromAzureOpenAI(azure: AzureOpenAIConfig): ModelEndpointConfig {
  return {
    kind: 'azure-openai',
    kindFrom: 'AZURE_OPENAI_ENDPOINT',
    baseUrl: `${azure.endpoint.replace(/\/+$/, '')}/openai`,
    model: azure.deployment,
    apiKey: azure.apiKey,
    apiVersion: azure.apiVersion,
    tokenScope: COGNITIVE_SERVICES_SCOPE,
    reasoningEffort: undefined,
  };
}

/**
 * ADVICE_BUDGET_MS_BY_SERVICE: `service-id=ms` pairs, comma-separated (e.g. `patient-view-advice=4000`). Service
 * ids are checked against the registry at start (`src/server.ts`), where the registry is known.
 */
export function loadBudgets(env: Env, min: number, max: number): Readonly<Record<string, number>> {
  const raw = env.ADVICE_BUDGET_MS_BY_SERVICE?.trim();
  if (!raw) return {};
  const budgets: Record<string, number> = {};
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]*)\s*=\s*(\d+)$/.exec(pair);
    const ms = Number(match?.[2]);
    if (!match?.[1] || !Number.isInteger(ms) || ms < min || ms > max) {
      throw new ModelEndpointError(
        `ADVICE_BUDGET_MS_BY_SERVICE must list service-id=ms pairs with ms between ${min} and ${max} (got "${pair}")`,
      );
    }
    budgets[match[1]] = ms;
  }
  return budgets;
}
