/**
 * Capabilities, probed rather than assumed. Every call starts with what worked last time on this endpoint; the
 * first time that is the best there is: the standard parameter profile and strict JSON-schema output. When the
 * endpoint answers that it does not take a parameter, the call is sent again at once without it, and the step down
 * is remembered (in memory, for this endpoint) and logged once:
 * - `temperature` or `max_tokens` refused → the reasoning profile (`max_completion_tokens`, no temperature);
 * - `reasoning_effort` refused → sent no more;
 * - `response_format` refused → strict JSON schema, then JSON mode with the schema in the prompt, then plain text
 *   with the schema in the prompt (the answer is validated on arrival whatever the mode).
 */
import { APIError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ReasoningEffort } from '../../../modelEndpoint.js';
import type { Logger } from '../../../logger.js';
import { responseFormatSchema } from '../output.js';
import { type NegotiableParam, providerErrorOf, unsupportedParameter } from './failures.js';
import {
  type CallOptions,
  type ModelCompletion,
  type ModelPort,
  OUTPUT_MODES,
  type OutputMode,
  type ParameterProfile,
} from './port.js';

export interface Capabilities {
  readonly profile: ParameterProfile;
  readonly outputMode: OutputMode;
  readonly reasoningEffort: ReasoningEffort | undefined;
}

export interface NegotiatedCompletion extends ModelCompletion {
  readonly outputMode: OutputMode;
}

/** Output token caps: a reasoning model spends part of its allowance thinking. */
const MAX_OUTPUT_TOKENS: Readonly<Record<ParameterProfile, number>> = { standard: 1500, reasoning: 4000 };

/** Where the endpoint cannot be held to the schema, the prompt says it (JSON mode needs the word "JSON" too). */
export function outputInstruction(mode: OutputMode): ChatCompletionMessageParam | undefined {
  if (mode === 'json-schema') return undefined;
  return {
    role: 'system',
    content: [
      'Answer with exactly one JSON object and nothing else: no markdown fence, no text before or after it.',
      'The object must match this JSON Schema:',
      JSON.stringify(responseFormatSchema()),
    ].join('\n'),
  };
}

export class ModelGateway {
  private current: Capabilities;

  constructor(
    readonly port: ModelPort,
    private readonly logger: Logger,
    reasoningEffort: ReasoningEffort | undefined = undefined,
  ) {
    this.current = { profile: 'standard', outputMode: 'json-schema', reasoningEffort };
  }

  get capabilities(): Capabilities {
    return this.current;
  }

  async complete(
    messages: readonly ChatCompletionMessageParam[],
    options: CallOptions,
  ): Promise<NegotiatedCompletion> {
    for (;;) {
      const caps = this.current;
      const instruction = outputInstruction(caps.outputMode);
      try {
        const completion = await this.port.complete(
          {
            messages: instruction ? [...messages, instruction] : messages,
            outputMode: caps.outputMode,
            profile: caps.profile,
            reasoningEffort: caps.profile === 'reasoning' ? caps.reasoningEffort : undefined,
            maxOutputTokens: MAX_OUTPUT_TOKENS[caps.profile],
          },
          options,
        );
        return { ...completion, outputMode: caps.outputMode };
      } catch (err) {
        if (!(err instanceof APIError) || err.status === undefined || options.signal.aborted) throw err;
        const param = unsupportedParameter(providerErrorOf(err));
        if (!param || !this.stepDown(param, caps)) throw err;
      }
    }
  }

  /** True when there is something to try next (another call may already have stepped down meanwhile). */
  private stepDown(param: NegotiableParam, tried: Capabilities): boolean {
    if (this.current !== tried) return true;
    let next: Capabilities | undefined;
    switch (param) {
      case 'response_format':
      case 'json_schema':
      case 'json_object': {
        const mode = OUTPUT_MODES[OUTPUT_MODES.indexOf(tried.outputMode) + 1];
        if (mode) next = { ...tried, outputMode: mode };
        break;
      }
      case 'temperature':
      case 'max_tokens':
        if (tried.profile === 'standard') next = { ...tried, profile: 'reasoning' };
        break;
      case 'reasoning_effort':
        if (tried.reasoningEffort !== undefined) next = { ...tried, reasoningEffort: undefined };
        break;
      case 'max_completion_tokens':
        break;
    }
    if (!next) return false;
    this.current = next;
    this.logger.warn('model endpoint refused a parameter: stepping down and remembering it', {
      kind: this.port.kind,
      model: this.port.model,
      refused: param,
      profile: next.profile,
      outputMode: next.outputMode,
      reasoningEffort: next.reasoningEffort ?? 'not sent',
    });
    return true;
  }
}
