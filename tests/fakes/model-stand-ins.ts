/**
 * STAND-INS for the four ways Azure AI Foundry serves a chat model. None is a model: each is a real HTTP server on
 * 127.0.0.1 (port 0) that speaks one endpoint kind's wire format closely enough for the real `openai` clients, and
 * answers whatever the test scripts (`FakeBehaviour`). What differs per kind is what a misconfigured client would
 * trip over:
 *
 * | kind           | path                                                   | api-version           | key header              | error bodies                                 |
 * | -------------- | ------------------------------------------------------ | --------------------- | ----------------------- | -------------------------------------------- |
 * | azure-openai   | /openai/deployments/{deployment}/chat/completions      | required (dated)      | api-key                 | {error:{code,message,param}}                  |
 * | openai-v1      | /openai/v1/chat/completions (model in body)            | none, or preview      | api-key or Bearer key   | {error:{code,message,param}}                  |
 * | foundry-models | /models/chat/completions (model in body)               | required              | api-key or Bearer key   | top-level {status,code,message,detail}; 422   |
 * | serverless     | /chat/completions at the root                          | optional              | Bearer key only         | top-level {status,code,message,detail}; 422   |
 *
 * The inference kinds (foundry-models, serverless) honour `extra-parameters`: parameters outside their API version
 * are refused with 422 unless the header says `drop`. A stand-in can be told which parameters its "model" refuses
 * (`refuses`): a reasoning deployment refuses `temperature` and `max_tokens` as Azure OpenAI does (400
 * `unsupported_parameter`/`unsupported_value`); a model without structured output refuses `json_schema` (400 on
 * the OpenAI routes, 422 `parameter_not_supported` on the inference API). Every accepted request is recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EndpointKind } from '../../src/modelEndpoint.js';
import type { FakeBehaviour, RecordedRequest } from './azure-openai-server.js';

export type RefusedParameter = 'temperature' | 'max_tokens' | 'json_schema' | 'json_object';

export interface ModelStandInOptions {
  readonly kind: EndpointKind;
  /** The deployment name (azure-openai) or the model name the stand-in serves. */
  readonly model: string;
  /** Accepted in the kind's key header when set. */
  readonly apiKey?: string;
  /** Accepted as `Authorization: Bearer …` (an Entra ID token) when set. */
  readonly bearerToken?: string;
  /** The `model` its responses name (Azure reports the model version, not the deployment). */
  readonly answeredModel?: string;
  readonly refuses?: readonly RefusedParameter[];
}

export interface ModelStandIn {
  readonly kind: EndpointKind;
  /** The URL to configure as MODEL_ENDPOINT (with MODEL_ENDPOINT_KIND: a loopback URL names no kind). */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  behaviour: FakeBehaviour;
  close(): Promise<void>;
}

/** Parameters the Azure AI Model Inference API (2024-05-01-preview) defines for chat completions. */
const INFERENCE_PARAMETERS = new Set([
  'messages',
  'model',
  'frequency_penalty',
  'presence_penalty',
  'temperature',
  'top_p',
  'max_tokens',
  'response_format',
  'stop',
  'stream',
  'tools',
  'tool_choice',
  'seed',
]);

const isInference = (kind: EndpointKind): boolean => kind === 'foundry-models' || kind === 'serverless';

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

export function completion(
  kind: EndpointKind,
  model: string,
  content: string | null,
  finishReason = 'stop',
  refusal: string | null = null,
): unknown {
  const azure = kind === 'azure-openai' || kind === 'openai-v1';
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    ...(azure && {
      system_fingerprint: 'fp_stand_in',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    }),
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        logprobs: null,
        message: { role: 'assistant', content, ...(azure && { refusal }) },
        ...(azure && { content_filter_results: {} }),
      },
    ],
    usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
  };
}

export const CONTENT_FILTER_BODY = {
  error: {
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. (stand-in)",
    type: null,
    param: 'prompt',
    code: 'content_filter',
    status: 400,
    innererror: {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: {
        hate: { filtered: false, severity: 'safe' },
        jailbreak: { filtered: true, detected: true },
        self_harm: { filtered: false, severity: 'safe' },
        sexual: { filtered: false, severity: 'safe' },
        violence: { filtered: false, severity: 'safe' },
      },
    },
  },
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An error as this kind answers it: OpenAI's `{error:{…}}` or the inference API's top-level shape. */
function errorBody(
  kind: EndpointKind,
  status: number,
  code: string,
  message: string,
  param?: string,
): unknown {
  if (isInference(kind)) {
    return {
      status,
      code,
      message: `${message} (stand-in)`,
      ...(param !== undefined && { detail: { loc: ['body', param] } }),
    };
  }
  return {
    error: { message: `${message} (stand-in)`, type: 'invalid_request_error', param: param ?? null, code },
  };
}

/** How this kind's "model" refuses a parameter it does not take. */
function refusal(kind: EndpointKind, parameter: RefusedParameter): { status: number; body: unknown } {
  if (isInference(kind)) {
    const param = parameter === 'json_schema' || parameter === 'json_object' ? 'response_format' : parameter;
    return {
      status: 422,
      body: {
        status: 422,
        code: 'parameter_not_supported',
        detail: { loc: ['body', param], input: parameter },
        message: 'One of the parameters contain invalid values. (stand-in)',
      },
    };
  }
  switch (parameter) {
    case 'max_tokens':
      return {
        status: 400,
        body: errorBody(
          kind,
          400,
          'unsupported_parameter',
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          'max_tokens',
        ),
      };
    case 'temperature':
      return {
        status: 400,
        body: errorBody(
          kind,
          400,
          'unsupported_value',
          "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.",
          'temperature',
        ),
      };
    case 'json_schema':
    case 'json_object':
      return {
        status: 400,
        body: errorBody(
          kind,
          400,
          'invalid_parameter',
          `Invalid parameter: 'response_format' of type '${parameter}' is not supported with this model.`,
          'response_format',
        ),
      };
  }
}

/** The first parameter of the body this "model" refuses, if any. */
function refused(
  body: RecordedRequest['body'],
  refuses: readonly RefusedParameter[],
): RefusedParameter | undefined {
  const format = (body.response_format as { type?: string } | undefined)?.type;
  return refuses.find((p) =>
    p === 'json_schema' || p === 'json_object' ? format === p : body[p] !== undefined,
  );
}

export async function startModelStandIn(options: ModelStandInOptions): Promise<ModelStandIn> {
  const { kind } = options;
  const answeredModel = options.answeredModel ?? 'stand-in-model-2024-08-06';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let behaviour: FakeBehaviour = { kind: 'advice', advice: () => ({ advice: [] }) };

  const routeOf = (pathname: string): { deployment?: string } | undefined => {
    switch (kind) {
      case 'azure-openai': {
        const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(pathname);
        return match ? { deployment: decodeURIComponent(match[1] ?? '') } : undefined;
      }
      case 'openai-v1':
        return pathname === '/openai/v1/chat/completions' ? {} : undefined;
      case 'foundry-models':
        return pathname === '/models/chat/completions' ? {} : undefined;
      case 'serverless':
        return pathname === '/chat/completions' ? {} : undefined;
    }
  };

  const authorized = (req: IncomingMessage): boolean => {
    const bearer = req.headers.authorization;
    const keyHeader = req.headers['api-key'];
    if (options.bearerToken !== undefined && bearer === `Bearer ${options.bearerToken}`) return true;
    if (options.apiKey === undefined) return false;
    switch (kind) {
      case 'azure-openai':
        return keyHeader === options.apiKey;
      case 'openai-v1':
      case 'foundry-models':
        return keyHeader === options.apiKey || bearer === `Bearer ${options.apiKey}`;
      case 'serverless':
        return bearer === `Bearer ${options.apiKey}`;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const rawBody = await readBody(req);
    const route = req.method === 'POST' ? routeOf(url.pathname) : undefined;
    if (!route) {
      send(res, 404, errorBody(kind, 404, '404', 'Resource not found'));
      return;
    }
    if (!authorized(req)) {
      send(
        res,
        401,
        errorBody(kind, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.'),
      );
      return;
    }
    const apiVersion = url.searchParams.get('api-version');
    if (kind === 'azure-openai' && !apiVersion) {
      send(res, 404, errorBody(kind, 404, '404', 'Resource not found (api-version missing)'));
      return;
    }
    if (kind === 'foundry-models' && !apiVersion) {
      send(
        res,
        400,
        errorBody(kind, 400, 'MissingApiVersionParameter', 'The api-version query parameter is required'),
      );
      return;
    }
    if (kind === 'openai-v1' && apiVersion !== null && !['preview', 'latest'].includes(apiVersion)) {
      send(
        res,
        400,
        errorBody(kind, 400, 'BadRequest', `API version not supported on the v1 route: ${apiVersion}`),
      );
      return;
    }
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(rawBody) as RecordedRequest['body'];
    } catch {
      send(res, 400, errorBody(kind, 400, 'BadRequest', 'The request body is not JSON'));
      return;
    }
    if (route.deployment !== undefined && route.deployment !== options.model) {
      send(
        res,
        404,
        errorBody(kind, 404, 'DeploymentNotFound', 'The API deployment for this resource does not exist.'),
      );
      return;
    }
    if (kind === 'openai-v1' && body.model !== options.model) {
      send(
        res,
        404,
        errorBody(
          kind,
          404,
          'DeploymentNotFound',
          `The API deployment ${String(body.model)} does not exist.`,
        ),
      );
      return;
    }
    if (kind === 'foundry-models' && body.model !== options.model) {
      send(res, 400, {
        error: { code: 'unknown_model', message: `Unknown model: ${String(body.model)} (stand-in)` },
      });
      return;
    }
    if (isInference(kind) && req.headers['extra-parameters'] !== 'drop') {
      const extra = Object.keys(body).find((k) => !INFERENCE_PARAMETERS.has(k));
      if (extra) {
        send(res, 422, {
          status: 422,
          code: 'extra_parameters_not_allowed',
          detail: { loc: ['body', extra] },
          message: `Extra parameters are not allowed when extra-parameters is not set to drop or pass-through. (stand-in)`,
        });
        return;
      }
    }
    const request: RecordedRequest = {
      method: req.method ?? 'POST',
      path: url.pathname,
      apiVersion,
      headers: { ...req.headers },
      rawBody,
      body,
    };
    requests.push(request);
    const refusedParameter = refused(body, options.refuses ?? []);
    if (refusedParameter) {
      const { status, body: errBody } = refusal(kind, refusedParameter);
      send(res, status, errBody);
      return;
    }

    const current = behaviour;
    switch (current.kind) {
      case 'advice': {
        const answer = completion(kind, answeredModel, JSON.stringify(current.advice(request)));
        if (!current.delayMs) {
          send(res, 200, answer);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, 200, answer);
        }, current.delayMs);
        timers.add(timer);
        return;
      }
      case 'advice-text':
        send(res, 200, completion(kind, answeredModel, current.text(request)));
        return;
      case 'content':
        send(
          res,
          200,
          completion(kind, answeredModel, current.content, current.finishReason, current.refusal ?? null),
        );
        return;
      case 'hang':
        return;
      case 'server-error':
        send(
          res,
          current.status ?? 500,
          errorBody(kind, current.status ?? 500, 'InternalServerError', 'The server had an error.'),
        );
        return;
      case 'rate-limit':
        send(
          res,
          429,
          errorBody(
            kind,
            429,
            '429',
            `Requests have exceeded the token rate limit of your current pricing tier. Please retry after ${current.retryAfterSeconds} seconds.`,
          ),
          {
            'retry-after': String(current.retryAfterSeconds),
            'retry-after-ms': String(current.retryAfterSeconds * 1000),
          },
        );
        return;
      case 'content-filter':
        send(res, 400, CONTENT_FILTER_BODY);
        return;
      case 'status':
        send(
          res,
          current.status,
          errorBody(kind, current.status, current.code, 'Scripted refusal', current.param),
        );
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, errorBody(kind, 500, 'StandInFailure', 'stand-in failed')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const endpoint = {
    'azure-openai': origin,
    'openai-v1': `${origin}/openai/v1`,
    'foundry-models': `${origin}/models`,
    serverless: origin,
  }[kind];

  return {
    kind,
    endpoint,
    requests,
    get behaviour() {
      return behaviour;
    },
    set behaviour(next: FakeBehaviour) {
      behaviour = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
