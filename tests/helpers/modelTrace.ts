/** What store and audit tests need of a model call: who answered, and the smallest de-identified input. */
import type { ModelItemTrace, ModelTrace } from '../../src/advisors/types.js';

/** The model, prompt and endpoint a recorded test call names. */
export const TRACE_ORIGIN = {
  endpointKind: 'azure-openai',
  deployment: 'advice',
  modelVersion: 'm-1',
  promptVersion: 'p-1',
  servedFrom: 'call',
} as const;

/** A 70-year-old with an empty chart, as the model would be given it. */
export const EMPTY_MODEL_INPUT: ModelTrace['input'] = {
  patient: { age: 70, sex: 'female' },
  activeMedications: [],
  draftOrders: [],
  problems: [],
  allergies: [],
  labs: [],
  vitals: [],
  missingData: [],
};

export function modelTrace(items: readonly ModelItemTrace[], mode: ModelTrace['mode'] = 'on'): ModelTrace {
  return {
    mode,
    ...TRACE_ORIGIN,
    answeredAt: '2026-12-05T10:00:00.000Z',
    input: EMPTY_MODEL_INPUT,
    items: [...items],
    invalidItems: 0,
  };
}
