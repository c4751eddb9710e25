/** The service registry: an explicit list, validated at start (`src/cds/registry.ts`). */
import type { ServiceModule } from '../src/cds/service.js';
import { orderSelectAdvice } from './order-select-advice.js';
import { orderSignAdvice } from './order-sign-advice.js';
import { patientViewAdvice } from './patient-view-advice.js';

export const SERVICES: readonly ServiceModule[] = [patientViewAdvice, orderSelectAdvice, orderSignAdvice];
