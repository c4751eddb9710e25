/**
 * Answers as real models give them, from the deployments-route STAND-IN (`tests/fakes/model-stand-ins.ts`,
 * scripted, not a model) configured the contract's way (AZURE_OPENAI_*): JSON fenced, wrapped in prose or
 * extended with keys the schema does not name; a reasoning deployment that refuses `temperature` and `max_tokens`;
 * a healthy model slower than the hook's budget. Each of these lost the model's advice before the gateway.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createModelAdvisor, type ModelAdvisor } from '../../../src/advisors/model/index.js';
import { testConfig } from '../../helpers/testConfig.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { type FakeBehaviour, standIn } from '../../fakes/azure-openai-server.js';
import { type ModelStandIn, type RefusedParameter, startModelStandIn } from '../../fakes/model-stand-ins.js';
import { fixtureReview, reviewOfPatientAged } from '../../unit/model/fixtures.js';

const DEPLOYMENT = 'advice-deploy';
const KEY = 'stand-in-key';

let stand: ModelStandIn | undefined;
let advisor: ModelAdvisor | undefined;

afterEach(async () => {
  advisor?.close();
  advisor = undefined;
  await stand?.close();
  stand = undefined;
});

async function setup(
  behaviour: FakeBehaviour,
  options: {
    refuses?: readonly RefusedParameter[];
    breakerMinimumCalls?: number;
    laneRecheckMs?: number;
  } = {},
): Promise<{ stand: ModelStandIn; advisor: ModelAdvisor }> {
  stand = await startModelStandIn({
    kind: 'azure-openai',
    model: DEPLOYMENT,
    apiKey: KEY,
    ...(options.refuses && { refuses: options.refuses }),
  });
  stand.behaviour = behaviour;
  const config = testConfig({
    azureOpenAI: { endpoint: stand.endpoint, deployment: DEPLOYMENT, apiKey: KEY, apiVersion: '2024-10-21' },
  });
  advisor = createModelAdvisor(config, {
    logger: silentLogger(),
    metricsRegistry: new Registry(),
    options: {
      ...(options.breakerMinimumCalls !== undefined && { breakerMinimumCalls: options.breakerMinimumCalls }),
      ...(options.laneRecheckMs !== undefined && { laneRecheckMs: options.laneRecheckMs }),
    },
  });
  if (!advisor) throw new Error('advisor not created');
  return { stand, advisor };
}

describe('model answers as real models give them', () => {
  it.each(['fenced', 'wrapped', 'extended'] as const)(
    'keeps the advice of JSON %s (fence or prose stripped, unknown keys ignored)',
    async (style) => {
      const { advisor } = await setup(standIn.sloppy(style));

      const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

      expect(outcome.status).toBe('ok');
      expect(outcome.findings.map((f) => f.key)).toEqual(['interaction:ibuprofen|warfarin']);
      expect(outcome.findings[0]?.suggestions?.[0]?.actions).toEqual([
        expect.objectContaining({ type: 'delete', resourceId: 'MedicationRequest/draft-ibu-1' }),
      ]);
    },
  );

  it('reports an answer whose every item is invalid as rejected, not as ok with no advice', async () => {
    const { advisor } = await setup({
      kind: 'advice',
      advice: () => ({ advice: [{ kind: 'interaction', summary: 'No citation, no severity.' }] }),
    });

    const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(outcome).toMatchObject({ status: 'rejected', reason: 'invalid-items', findings: [] });
  });

  it('advises through a reasoning deployment that refuses temperature and max_tokens', async () => {
    const { advisor, stand } = await setup(standIn.goodAdvice(), { refuses: ['temperature', 'max_tokens'] });

    const first = await advisor.advise(reviewOfPatientAged(50), AbortSignal.timeout(5000));
    const second = await advisor.advise(reviewOfPatientAged(51), AbortSignal.timeout(5000));

    expect([first.status, second.status]).toEqual(['ok', 'ok']);
    expect(second.findings).toHaveLength(1);
    expect(stand.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 4000 });
    expect(stand.requests.at(-1)?.body).not.toHaveProperty('temperature');
  });

  it('a healthy model slower than the budget is slow, not failed: late answers cached, the breaker stays closed', async () => {
    const { advisor, stand } = await setup(standIn.goodAdvice(250), { breakerMinimumCalls: 3 });
    const ages = [60, 61, 62, 63, 64];

    const missed = [];
    for (const age of ages) {
      missed.push(await advisor.advise(reviewOfPatientAged(age), AbortSignal.timeout(60)));
      await advisor.drain();
    }
    const again = [];
    for (const age of ages)
      again.push(await advisor.advise(reviewOfPatientAged(age), AbortSignal.timeout(60)));

    expect(missed.map((o) => o.status)).toEqual(['timeout', 'timeout', 'timeout', 'timeout', 'timeout']);
    expect(advisor.circuitState).toBe('closed');
    expect(again.map((o) => o.status)).toEqual(['cached', 'cached', 'cached', 'cached', 'cached']);
    expect(stand.requests).toHaveLength(5);
  });

  it('re-checks a stopped lane on its own, and resumes once the endpoint answers', async () => {
    const { advisor, stand } = await setup(
      { kind: 'status', status: 404, code: 'DeploymentNotFound' },
      {
        laneRecheckMs: 100,
      },
    );
    for (const age of [50, 51, 52]) await advisor.advise(reviewOfPatientAged(age), AbortSignal.timeout(5000));
    const stopped = await advisor.advise(reviewOfPatientAged(53), AbortSignal.timeout(5000));

    stand.behaviour = standIn.goodAdvice();
    for (let waited = 0; advisor.health().state !== 'usable' && waited < 5000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = await advisor.advise(reviewOfPatientAged(54), AbortSignal.timeout(5000));

    expect(stopped).toMatchObject({ status: 'error', reason: 'misconfigured', findings: [] });
    // The stopped hook's patient never reached the endpoint (the re-checks carry the synthetic one).
    const aged = (age: number): boolean =>
      stand.requests.some((r) => r.body.messages?.some((m) => m.content.includes(`"age":${age}`)));
    expect(aged(53)).toBe(false);
    expect(aged(52)).toBe(true);
    expect(advisor.health().state).toBe('usable');
    expect(resumed.status).toBe('ok');
  });
});
