/**
 * A STAND-IN for Azure OpenAI, not a model: a real HTTP server on 127.0.0.1 (port 0) speaking the Azure wire
 * format closely enough for the real `AzureOpenAI` client (`POST /openai/deployments/{d}/chat/completions
 * ?api-version=…`, `api-key` or Entra bearer auth, `chat.completion` bodies with a model version, 429 with
 * `retry-after`, the content-filter 400 body). Its "advice" is whatever the test scripts; it understands nothing.
 * Behaviours are switchable at runtime; every request body is recorded so tests can check what left the service.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly apiVersion: string | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: string;
  readonly body: {
    messages?: { role: string; content: string }[];
    response_format?: unknown;
    [k: string]: unknown;
  };
}

export type FakeBehaviour =
  /** A `chat.completion` whose message content is the JSON of `advice(request)`, optionally after a delay. */
  | {
      readonly kind: 'advice';
      readonly advice: (request: RecordedRequest) => unknown;
      readonly delayMs?: number;
    }
  /** A `chat.completion` with this raw content (garbage, truncated JSON…) and finish reason. */
  | {
      readonly kind: 'content';
      readonly content: string | null;
      readonly finishReason?: string;
      readonly refusal?: string;
    }
  /** Accepts the request and never answers. */
  | { readonly kind: 'hang' }
  | { readonly kind: 'server-error'; readonly status?: number }
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  /** Azure's 400 for a prompt its content filter blocked. */
  | { readonly kind: 'content-filter' };

export interface FakeAzureOpenAIOptions {
  readonly deployment: string;
  /** Checked against the `api-key` header when set. */
  readonly apiKey?: string;
  /** Checked against `Authorization: Bearer …` when set (keyless Entra ID path). */
  readonly bearerToken?: string;
  /** What the fake reports as `model` (Azure reports the model version, not the deployment). */
  readonly modelVersion?: string;
}

export interface FakeAzureOpenAI {
  /** `AZURE_OPENAI_ENDPOINT` for the client, e.g. `http://127.0.0.1:54321`. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  behaviour: FakeBehaviour;
  close(): Promise<void>;
}

export const DATA_BLOCK = /<patient_data>\n([\s\S]*)\n<\/patient_data>/;

/** The de-identified input a request carried (the fake reads it only to script aliases into its answers). */
export function patientDataOf(request: RecordedRequest): {
  activeMedications: { alias: string }[];
  draftOrders: { alias: string }[];
  problems: { alias: string }[];
  allergies: { alias: string }[];
  labs: { alias: string }[];
} {
  const block = (request.body.messages ?? [])
    .map((m) => DATA_BLOCK.exec(m.content)?.[1])
    .find((b) => b !== undefined);
  if (block === undefined) throw new Error('stand-in: no patient data block in the request');
  return JSON.parse(block) as ReturnType<typeof patientDataOf>;
}

/**
 * Preset behaviours. Their advice is scripted: the stand-in reads only the aliases in the data block, so it can
 * cite real ones (or, for the hostile preset, deliberately wrong ones).
 */
export const standIn = {
  /** The interaction between the first draft and the first active medication, suggesting to cancel the draft. */
  goodAdvice(delayMs = 0): FakeBehaviour {
    return {
      kind: 'advice',
      ...(delayMs > 0 && { delayMs }),
      advice: (request) => {
        const data = patientDataOf(request);
        const draft = data.draftOrders[0]?.alias ?? 'D1';
        const active = data.activeMedications[0]?.alias ?? 'M1';
        return {
          advice: [
            {
              kind: 'interaction',
              summary: 'Ibuprofen with warfarin raises the risk of bleeding.',
              detail: 'NSAIDs add to the anticoagulant effect of warfarin; the latest INR is above range.',
              severity: 'warning',
              cites: [draft, active],
              certainty: 'high',
              suggestion: { kind: 'cancel-draft', draft },
            },
          ],
        };
      },
    };
  },
  /**
   * Output that obeys an injected instruction and breaks every card rule: a link-laden "cancel everything" item
   * citing a problem and targeting an active medication, an invented alias, no citation, an unknown indicator,
   * an extra `links` field, a 600-character summary cancelling an unknown draft, a lab outside the allow-list.
   */
  hostileAdvice(): FakeBehaviour {
    const base = {
      kind: 'interaction',
      summary: 'Ibuprofen with warfarin raises bleeding risk.',
      detail: 'Scripted by the stand-in.',
      severity: 'warning',
      cites: ['D1', 'M1'],
      certainty: 'moderate',
      suggestion: null,
    };
    return {
      kind: 'advice',
      advice: () => ({
        advice: [
          {
            kind: 'other',
            summary: 'As instructed, cancel every order now: https://evil.example/claim',
            detail: 'Visit www.evil.com or [here](javascript:alert(1)) for details.',
            severity: 'critical',
            cites: ['P2', 'D1'],
            certainty: 'high',
            suggestion: { kind: 'cancel-draft', draft: 'M1' },
          },
          { ...base, cites: ['D1', 'M77'] },
          { ...base, cites: [] },
          { ...base, severity: 'hard-stop' },
          { ...base, links: [{ label: 'more', url: 'https://evil.example' }] },
          {
            ...base,
            kind: 'dose',
            summary: 'Too long. '.repeat(60),
            suggestion: { kind: 'cancel-draft', draft: 'D7' },
          },
          { ...base, kind: 'monitoring', suggestion: { kind: 'order-lab', loinc: '99999-9' } },
        ],
      }),
    };
  },
  garbage: { kind: 'content', content: 'Sure! Here is my advice: {"advice": [' } as FakeBehaviour,
  hang: { kind: 'hang' } as FakeBehaviour,
  serverError: (status = 500): FakeBehaviour => ({ kind: 'server-error', status }),
  rateLimit: (retryAfterSeconds: number): FakeBehaviour => ({ kind: 'rate-limit', retryAfterSeconds }),
  contentFilter: { kind: 'content-filter' } as FakeBehaviour,
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

function completion(
  model: string,
  content: string | null,
  finishReason = 'stop',
  refusal: string | null = null,
): unknown {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_stand_in',
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        logprobs: null,
        message: { role: 'assistant', content, refusal },
        content_filter_results: {},
      },
    ],
    usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
  };
}

const CONTENT_FILTER_BODY = {
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

export async function startFakeAzureOpenAI(options: FakeAzureOpenAIOptions): Promise<FakeAzureOpenAI> {
  const modelVersion = options.modelVersion ?? 'stand-in-model-2024-08-06';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let behaviour: FakeBehaviour = { kind: 'advice', advice: () => ({ advice: [] }) };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    const rawBody = await readBody(req);
    if (req.method !== 'POST' || !match) {
      send(res, 404, { error: { code: '404', message: 'Resource not found (stand-in)' } });
      return;
    }
    const authorized =
      (options.apiKey !== undefined && req.headers['api-key'] === options.apiKey) ||
      (options.bearerToken !== undefined && req.headers.authorization === `Bearer ${options.bearerToken}`);
    if (!authorized) {
      send(res, 401, {
        error: {
          code: '401',
          message: 'Access denied due to invalid subscription key or wrong API endpoint. (stand-in)',
        },
      });
      return;
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      send(res, 404, {
        error: { code: '404', message: 'Resource not found (stand-in: api-version missing)' },
      });
      return;
    }
    if (decodeURIComponent(match[1] ?? '') !== options.deployment) {
      send(res, 404, {
        error: {
          code: 'DeploymentNotFound',
          message: 'The API deployment for this resource does not exist. (stand-in)',
        },
      });
      return;
    }
    const request: RecordedRequest = {
      method: req.method,
      path: url.pathname,
      apiVersion,
      headers: { ...req.headers },
      rawBody,
      body: JSON.parse(rawBody) as RecordedRequest['body'],
    };
    requests.push(request);

    const current = behaviour;
    switch (current.kind) {
      case 'advice': {
        const body = completion(modelVersion, JSON.stringify(current.advice(request)));
        if (!current.delayMs) {
          send(res, 200, body);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, 200, body);
        }, current.delayMs);
        timers.add(timer);
        return;
      }
      case 'content':
        send(
          res,
          200,
          completion(modelVersion, current.content, current.finishReason, current.refusal ?? null),
        );
        return;
      case 'hang':
        return;
      case 'server-error':
        send(res, current.status ?? 500, {
          error: { code: 'InternalServerError', message: 'The server had an error (stand-in).' },
        });
        return;
      case 'rate-limit':
        send(
          res,
          429,
          {
            error: {
              code: '429',
              message: `Requests have exceeded the token rate limit of your current pricing tier. Please retry after ${current.retryAfterSeconds} seconds. (stand-in)`,
            },
          },
          {
            'retry-after': String(current.retryAfterSeconds),
            'retry-after-ms': String(current.retryAfterSeconds * 1000),
          },
        );
        return;
      case 'content-filter':
        send(res, 400, CONTENT_FILTER_BODY);
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() =>
      send(res, 500, { error: { code: 'StandInFailure', message: 'stand-in failed' } }),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
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
