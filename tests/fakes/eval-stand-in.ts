/**
 * `npm run eval:stand-in`: the evaluation (`scripts/eval.ts`) run against the scripted Azure OpenAI stand-in instead
 * of a model, to check the harness itself without Azure. Its model figures measure nothing clinical.
 *
 *   npm run eval:stand-in -- [the options of npm run eval]
 */
import type { StandIn } from '../../scripts/eval/cli.js';
import { main } from '../../scripts/eval.js';
import { patientDataOf, standIn, startFakeAzureOpenAI } from './azure-openai-server.js';

const standInConfig: StandIn = async (config) => {
  const fake = await startFakeAzureOpenAI({ deployment: 'stand-in', apiKey: 'stand-in' });
  const chartReview = standIn.chartReview();
  if (chartReview.kind !== 'advice') throw new Error('stand-in: chart review is scripted advice');
  // Scripted, not clinical: flags the first draft against the first active medication whenever both exist; on
  // patient-view, remarks on trends, an HbA1c care gap, and overreaches once (a steady potassium said to rise).
  fake.behaviour = {
    kind: 'advice',
    delayMs: 50,
    advice: (request) => {
      const data = patientDataOf(request);
      const draft = data.draftOrders[0]?.alias;
      const active = data.activeMedications[0]?.alias;
      if (!draft || !active) return chartReview.advice(request);
      return {
        advice: [
          {
            kind: 'interaction',
            summary: 'Stand-in advice: scripted, not clinical.',
            detail: 'Produced by the test stand-in server to exercise the evaluation harness.',
            severity: 'info',
            cites: [draft, active],
            certainty: 'low',
            suggestion: null,
          },
        ],
      };
    },
  };
  return {
    config: {
      ...config,
      azureOpenAI: {
        endpoint: fake.endpoint,
        deployment: 'stand-in',
        apiKey: 'stand-in',
        apiVersion: '2024-10-21',
      },
    },
    close: () => fake.close(),
  };
};

main(['--stand-in', ...process.argv.slice(2)], standInConfig).catch((error: unknown) => {
  process.stderr.write(`eval failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
