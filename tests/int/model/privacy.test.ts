/**
 * What the model sees, through HTTP: a hook call through the real app, the real model advisor and the real
 * `AzureOpenAI` client, against the Azure OpenAI STAND-IN, which records every request body. Each case plants
 * patient identifiers in one kind of field that the de-identifier used to trust; none may reach the model.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { requestFixture } from '../../helpers/fixtures.js';
import { type ModelApp, modelApp } from '../../helpers/modelApp.js';

let running: ModelApp | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const NAME = 'Zebediah Quisenberry';
const MRN = 'MRN-88442211';
const PHONE = '555-0147';
const BIRTH_DATE = '1948-03-17';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Entry {
  resource: Json;
}

/** The order-sign fixture (warfarin, lisinopril, metformin; CKD, AF; penicillin allergy; eGFR, K, INR). */
function orderSign(): { body: Json; prefetch: Json; drafts: Json[] } {
  const body = requestFixture('order-sign.full-prefetch') as Json;
  const prefetch = body.prefetch as Json;
  const drafts = (body.context.draftOrders.entry as Entry[]).map((e) => e.resource);
  return { body, prefetch, drafts };
}

const resources = (bundle: Json): Json[] => (bundle.entry as Entry[]).map((e) => e.resource);

async function sentToModel(body: Json): Promise<string[]> {
  running = await modelApp();
  await request(running.app).post('/cds-services/order-sign-advice').send(body).expect(200);
  await running.model.drain();
  return running.fake.requests.map((r) => r.rawBody);
}

/** Each of the nine kinds of field the probe found leaking, with identifiers planted where it found them. */
const LEAKS: readonly {
  kind: string;
  needles: readonly string[];
  plant: (body: ReturnType<typeof orderSign>) => void;
}[] = [
  {
    kind: '1. display of a coding from a public code system (SNOMED CT condition)',
    needles: [NAME, MRN],
    plant: ({ prefetch }) => {
      resources(prefetch.conditions)[1]!.code.coding[0].display = `Atrial fibrillation ${NAME} ${MRN}`;
    },
  },
  {
    kind: '1. display of a coding from a public code system (RxNorm draft order)',
    needles: [NAME, BIRTH_DATE],
    plant: ({ drafts }) => {
      drafts[0]!.medicationCodeableConcept.coding[0].display = `Ibuprofen 400 MG for ${NAME} born ${BIRTH_DATE}`;
    },
  },
  {
    kind: '1. display of a coding from a public code system (allergy reaction substance)',
    needles: [NAME, PHONE],
    plant: ({ prefetch }) => {
      resources(prefetch.allergies)[0]!.reaction = [
        {
          substance: {
            coding: [
              { system: 'http://snomed.info/sct', code: '764146007', display: `Penicillin ${NAME} ${PHONE}` },
            ],
          },
        },
      ];
    },
  },
  {
    kind: '2. valueQuantity.unit',
    needles: [NAME, PHONE],
    plant: ({ prefetch }) => {
      resources(prefetch.labs)[0]!.valueQuantity = { value: 38, unit: `${NAME} ${PHONE}` };
    },
  },
  {
    kind: '3. interpretation.text',
    needles: [NAME],
    plant: ({ prefetch }) => {
      resources(prefetch.labs)[1]!.interpretation = [{ text: NAME }];
    },
  },
  {
    kind: '4. MedicationRequest.status (a draft order)',
    needles: [NAME],
    plant: ({ drafts }) => {
      drafts[0]!.status = NAME;
    },
  },
  {
    kind: '5. Condition.clinicalStatus and verificationStatus',
    needles: [NAME, 'Quisenberry Lane'],
    plant: ({ prefetch }) => {
      const [ckd, af] = resources(prefetch.conditions);
      ckd!.clinicalStatus = { text: NAME };
      af!.verificationStatus = { coding: [{ code: 'Quisenberry Lane' }] };
    },
  },
  {
    kind: '6. AllergyIntolerance.clinicalStatus and verificationStatus',
    needles: [NAME, 'Evergreen Terrace'],
    plant: ({ prefetch }) => {
      const [pcn] = resources(prefetch.allergies);
      pcn!.clinicalStatus = { coding: [{ code: NAME }] };
      pcn!.verificationStatus = { text: 'Evergreen Terrace' };
    },
  },
  {
    kind: '7. AllergyIntolerance.criticality',
    needles: [NAME],
    plant: ({ prefetch }) => {
      resources(prefetch.allergies)[0]!.criticality = NAME;
    },
  },
  {
    kind: '8. AllergyIntolerance.category',
    needles: ['Springfield Avenue'],
    plant: ({ prefetch }) => {
      resources(prefetch.allergies)[0]!.category = ['Springfield Avenue'];
    },
  },
  {
    kind: '9. dosage text made only of numbers (a phone number, a birth date)',
    needles: [PHONE, '1948 03 17'],
    plant: ({ drafts, prefetch }) => {
      drafts[0]!.dosageInstruction = [{ text: PHONE }];
      resources(prefetch.medications)[0]!.dosageInstruction = [{ text: '1948 03 17' }];
    },
  },
];

describe('no sender-supplied text reaches the model', () => {
  it.each(LEAKS)('$kind', async ({ needles, plant }) => {
    const parts = orderSign();
    plant(parts);

    const bodies = await sentToModel(parts.body);

    expect(bodies).toHaveLength(1);
    const sent = bodies[0]!.toLowerCase();
    expect(needles.filter((needle) => sent.includes(needle.toLowerCase()))).toEqual([]);
  });
});
