/** order-sign-advice: the final check of every draft order before it is signed. */
import type { ServiceModule } from '../src/cds/service.js';
import { HISTORY_KEYS, PREFETCH_TEMPLATES } from './prefetch.js';

export const orderSignAdvice: ServiceModule<'order-sign'> = {
  definition: {
    id: 'order-sign-advice',
    hook: 'order-sign',
    title: 'Order safety check (signing)',
    description:
      'Final check of every order about to be signed against active medications, allergies, problems and recent ' +
      'labs: interactions, allergy cross-sensitivity, duplicate therapy and renal dosing.',
    usageRequirements: 'Send every order being signed in context.draftOrders.',
    prefetch: PREFETCH_TEMPLATES,
    historyPrefetch: HISTORY_KEYS,
    requiredPrefetch: ['patient', 'medications', 'allergies'],
    minSeverity: 'info',
    // What the same clinician overrode with a reason on order-select, for the same drafts, is not repeated at
    // signing (critical findings always are).
    quietOverriddenWithinMinutes: 120,
  },
  focus: (patient) => patient.draftOrders,
};
