/** `npm run ground-truth -- …`: the clinical safety committee's review sheet and its import (`scripts/eval/signOffCli.ts`). */
import { groundTruthSignOffMain } from './eval/signOffCli.js';

groundTruthSignOffMain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ground-truth failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
