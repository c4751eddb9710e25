/** order-select-advice: while orders are being chosen, check the selected drafts. */
import type { ServiceModule } from '../src/cds/service.js';
import { HISTORY_KEYS, PREFETCH_TEMPLATES } from './prefetch.js';

export const orderSelectAdvice: ServiceModule<'order-select'> = {
  definition: {
    id: 'order-select-advice',
    hook: 'order-select',
    title: 'Order safety check (selection)',
    description:
      'Checks the newly selected draft orders against active medications, the other draft orders, allergies, ' +
      'problems and recent labs: interactions, allergy cross-sensitivity, duplicate therapy and renal dosing.',
    usageRequirements:
      'Send the selected orders in context.selections and every draft in context.draftOrders.',
    prefetch: PREFETCH_TEMPLATES,
    historyPrefetch: HISTORY_KEYS,
    requiredPrefetch: ['patient', 'medications', 'allergies'],
    minSeverity: 'info',
  },
  focus: (patient) => patient.draftOrders.filter((order) => order.selected),
};
