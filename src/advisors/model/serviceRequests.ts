/**
 * The only follow-ups and referrals a model suggestion may propose, by SNOMED CT procedure code (the JSON Schema's
 * enum in `schemas/model-advice.schema.json` holds the same codes; a unit test keeps them equal and checks each
 * id's partition and check digit). The model picks a code; the display and the rest of the draft ServiceRequest
 * are ours. Medication orders are not on any list: the model never proposes one.
 *
 * Source: SNOMED CT International Edition, procedure hierarchy (preferred terms).
 */
export const SERVICE_REQUESTS: Readonly<Record<string, string>> = {
  '390906007': 'Follow-up encounter',
  '3457005': 'Patient referral',
  '103696004': 'Patient referral to specialist',
  '183519002': 'Referral to cardiology service',
  '306118006': 'Referral to endocrinology service',
  '103699006': 'Patient referral to dietitian',
};
