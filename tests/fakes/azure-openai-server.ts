/**
 * A STAND-IN for Azure OpenAI, not a model: a real HTTP server on 127.0.0.1 (port 0) speaking the Azure wire
 * format closely enough for the real `AzureOpenAI` client (`POST /openai/deployments/{d}/chat/completions
 * ?api-version=…`, `api-key` or Entra bearer auth, `chat.completion` bodies with a model version, 429 with
 * `retry-after`, the content-filter 400 body). Its "advice" is whatever the test scripts; it understands nothing.
 * Behaviours are switchable at runtime; every request body is recorded so tests can check what left the service.
 * The server itself is `model-stand-ins.ts`, which speaks the other Foundry endpoint kinds too; the behaviours and
 * presets every kind shares are here.
 */
import { startModelStandIn } from './model-stand-ins.js';

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
  /** A `chat.completion` whose message content is `text(request)` as it is (fenced, wrapped in prose…). */
  | { readonly kind: 'advice-text'; readonly text: (request: RecordedRequest) => string }
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
  | { readonly kind: 'content-filter' }
  /** This status with an error body in the endpoint kind's shape, naming `code` (and `param`). */
  | { readonly kind: 'status'; readonly status: number; readonly code: string; readonly param?: string };

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

/** A lab or vital-sign series as the service sends it: most recent result first. */
export interface SentSeries {
  alias: string;
  name: string | null;
  unit: string | null;
  results: { value: number | null; daysAgo: number | null }[];
}

/** The de-identified input as the stand-in reads it: only aliases and names, to script citations. */
export interface PatientData {
  activeMedications: { alias: string; name: string | null }[];
  draftOrders: { alias: string; name: string | null }[];
  problems: { alias: string; name: string | null }[];
  allergies: { alias: string }[];
  labs: SentSeries[];
  vitals: SentSeries[];
}

/** The de-identified input a request carried (the fake reads it only to script aliases into its answers). */
export function patientDataOf(request: RecordedRequest): PatientData {
  const block = (request.body.messages ?? [])
    .map((m) => DATA_BLOCK.exec(m.content)?.[1])
    .find((b) => b !== undefined);
  if (block === undefined) throw new Error('stand-in: no patient data block in the request');
  return JSON.parse(block) as PatientData;
}

/** The good-advice preset's answer: the first draft interacts with the first active medication. */
function goodAdviceFor(request: RecordedRequest): { advice: Record<string, unknown>[] } {
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
}

/**
 * The hook and the drafts under review, read from the task message's first line (`Hook: order-select. The
 * clinician has just selected these draft orders: D1, D2.`).
 */
export function questionOf(request: RecordedRequest): { hook: string; underReview: string[] } {
  const task = request.body.messages?.[1]?.content ?? '';
  const hook = /^Hook: ([a-z-]+)\./.exec(task)?.[1] ?? 'unknown';
  const drafts = /draft orders: ([^.]*)\./.exec(task)?.[1] ?? '';
  return { hook, underReview: drafts === 'none' ? [] : drafts.split(', ').filter((d) => d.length > 0) };
}

/** Numbers of a series, most recent first. */
const valuesOf = (series: SentSeries): number[] =>
  series.results.flatMap((r) => (r.value === null ? [] : [r.value]));

/**
 * The insight preset's answer: a trend item for every series of three or more results whose latest value is more
 * than 10 % away from its earliest, claiming the direction the numbers show — or, `contradicting`, the opposite
 * one (a claim the data contradict) — with a referral to a specialist as its suggestion. Patient-view only.
 */
function insightsFor(
  request: RecordedRequest,
  contradicting: boolean,
): { advice: Record<string, unknown>[] } {
  const data = patientDataOf(request);
  if (questionOf(request).hook !== 'patient-view') return { advice: [] };
  const advice = [...data.labs, ...data.vitals].flatMap((series) => {
    const values = valuesOf(series);
    const [latest, earliest] = [values[0], values[values.length - 1]];
    if (values.length < 3 || latest === undefined || earliest === undefined) return [];
    if (Math.abs(latest - earliest) <= 0.1 * Math.abs(earliest)) return [];
    const change = latest > earliest !== contradicting ? 'rise' : 'fall';
    return [
      {
        kind: 'trend',
        summary: `${series.name ?? 'This result'} ${change === 'rise' ? 'rose' : 'fell'} from ${earliest} to ${latest}.`,
        detail: 'Scripted by the stand-in from the series it was sent.',
        severity: 'warning',
        cites: [series.alias],
        about: null,
        claim: { change, series: series.alias },
        certainty: 'moderate',
        suggestion: { kind: 'service-request', code: '103696004' },
      },
    ];
  });
  return { advice };
}

/**
 * A care gap on patient-view: an HbA1c at or above 6.5 % while no problem is named as diabetes, citing the series
 * (no claim: it says nothing rose or fell).
 */
function careGapsFor(request: RecordedRequest): Record<string, unknown>[] {
  const data = patientDataOf(request);
  if (questionOf(request).hook !== 'patient-view') return [];
  const a1c = data.labs.find((s) => /A1c/i.test(s.name ?? ''));
  const latest = a1c ? valuesOf(a1c)[0] : undefined;
  if (!a1c || latest === undefined || latest < 6.5) return [];
  if (data.problems.some((p) => /diabetes/i.test(p.name ?? ''))) return [];
  return [
    {
      kind: 'care-gap',
      summary: `HbA1c of ${latest} % with no diabetes on the problem list.`,
      detail: 'Scripted by the stand-in: a result at the diagnostic threshold without the diagnosis.',
      severity: 'warning',
      cites: [a1c.alias],
      about: null,
      claim: null,
      certainty: 'moderate',
      suggestion: { kind: 'order-lab', loinc: '4548-4' },
    },
  ];
}

/** An overreach on patient-view: a potassium series that barely moved, claimed to be rising (the data contradict it). */
function overreachFor(request: RecordedRequest): Record<string, unknown>[] {
  const data = patientDataOf(request);
  if (questionOf(request).hook !== 'patient-view') return [];
  const potassium = data.labs.find((s) => /potassium/i.test(s.name ?? '') && valuesOf(s).length >= 3);
  if (!potassium) return [];
  const values = valuesOf(potassium);
  if (Math.abs(values[0]! - values[values.length - 1]!) > 0.1 * values[values.length - 1]!) return [];
  return [
    {
      kind: 'trend',
      summary: 'Potassium is rising.',
      detail: 'Scripted by the stand-in: a claim the series does not bear out.',
      severity: 'warning',
      cites: [potassium.alias],
      about: null,
      claim: { change: 'rise', series: potassium.alias },
      certainty: 'low',
      suggestion: null,
    },
  ];
}

/**
 * The order-concern preset's answer, on order-select and order-sign: a concern citing only a lab series whose
 * name matches `lab` and whose latest value is above `above`, about the first draft under review.
 */
function labConcernFor(request: RecordedRequest, lab: RegExp, above: number): { advice: unknown[] } {
  const data = patientDataOf(request);
  const question = questionOf(request);
  const draft = question.underReview[0];
  const series = data.labs.find((s) => lab.test(s.name ?? '') && (valuesOf(s)[0] ?? -Infinity) > above);
  if (question.hook === 'patient-view' || !draft || !series) return { advice: [] };
  return {
    advice: [
      {
        kind: 'contraindication',
        summary: `The latest ${series.name} of ${valuesOf(series)[0]} is high for this draft order.`,
        detail: 'Scripted by the stand-in: a concern resting on a lab, about the draft.',
        severity: 'warning',
        cites: [series.alias],
        about: draft,
        claim: null,
        certainty: 'high',
        suggestion: { kind: 'cancel-draft', draft },
      },
    ],
  };
}

/**
 * Preset behaviours. Their advice is scripted: the stand-in reads only the aliases in the data block, so it can
 * cite real ones (or, for the hostile preset, deliberately wrong ones).
 */
export const standIn = {
  /** Scripted items citing the request's own aliases: `items` reads the de-identified input the request carried. */
  advising(items: (data: PatientData) => readonly unknown[], delayMs = 0): FakeBehaviour {
    return {
      kind: 'advice',
      ...(delayMs > 0 && { delayMs }),
      advice: (request) => ({ advice: items(patientDataOf(request)) }),
    };
  },
  /** The interaction between the first draft and the first active medication, suggesting to cancel the draft. */
  goodAdvice(delayMs = 0): FakeBehaviour {
    return { kind: 'advice', ...(delayMs > 0 && { delayMs }), advice: goodAdviceFor };
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
  /**
   * Good advice as a chatty model gives it in JSON or text mode: `fenced` in a markdown block, `wrapped` in prose,
   * `extended` with keys the schema does not name (top-level, per item and in the suggestion).
   */
  sloppy(style: 'fenced' | 'wrapped' | 'extended'): FakeBehaviour {
    return {
      kind: 'advice-text',
      text: (request) => {
        const good = (standIn.goodAdvice() as { advice: (r: RecordedRequest) => unknown }).advice(
          request,
        ) as {
          advice: Record<string, unknown>[];
        };
        if (style === 'fenced') return '```json\n' + JSON.stringify(good, null, 2) + '\n```';
        if (style === 'wrapped')
          return `Here is my review of the patient.\n${JSON.stringify(good)}\nLet me know if you need more.`;
        return JSON.stringify({
          version: 2,
          advice: good.advice.map((item) => ({
            ...item,
            rationale: 'extra key (stand-in)',
            suggestion: { ...(item.suggestion as object), confidence: 0.9 },
          })),
        });
      },
    };
  },
  /** Trend insights with true claims (or, `contradicting`, claims the data contradict), after `delayMs`. */
  insights(options: { contradicting?: boolean; delayMs?: number } = {}): FakeBehaviour {
    return {
      kind: 'advice',
      ...(options.delayMs && { delayMs: options.delayMs }),
      advice: (request) => insightsFor(request, options.contradicting ?? false),
    };
  },
  /**
   * A chart review as the evaluation's stand-in gives it on patient-view: trends with true claims, a care gap for
   * an HbA1c at the threshold without the diagnosis, and an overreach (a steady potassium claimed to rise).
   */
  chartReview(delayMs = 0): FakeBehaviour {
    return {
      kind: 'advice',
      ...(delayMs > 0 && { delayMs }),
      advice: (request) => ({
        advice: [...careGapsFor(request), ...insightsFor(request, false).advice, ...overreachFor(request)],
      }),
    };
  },
  /** An order concern resting on a high lab (`lab` names it), about the first draft under review. */
  labConcern(lab: RegExp, above: number): FakeBehaviour {
    return { kind: 'advice', advice: (request) => labConcernFor(request, lab, above) };
  },
  hang: { kind: 'hang' } as FakeBehaviour,
  serverError: (status = 500): FakeBehaviour => ({ kind: 'server-error', status }),
  rateLimit: (retryAfterSeconds: number): FakeBehaviour => ({ kind: 'rate-limit', retryAfterSeconds }),
  contentFilter: { kind: 'content-filter' } as FakeBehaviour,
};

/** The Azure OpenAI deployments-route stand-in (`tests/fakes/model-stand-ins.ts` serves the other kinds too). */
export async function startFakeAzureOpenAI(options: FakeAzureOpenAIOptions): Promise<FakeAzureOpenAI> {
  return startModelStandIn({
    kind: 'azure-openai',
    model: options.deployment,
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
    ...(options.bearerToken !== undefined && { bearerToken: options.bearerToken }),
    ...(options.modelVersion !== undefined && { answeredModel: options.modelVersion }),
  });
}
