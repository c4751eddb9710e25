/**
 * Builds the safety dashboard into dist/dashboard: the client TypeScript and chart.js bundled by esbuild into one
 * script of our own (no CDN: it works offline and under `script-src 'self'`), next to the page and its styles.
 * Run by `npm run build` (so `npm start` has it) and before `npm test`; tests may call `buildDashboard()` too.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DASHBOARD_DIR, DASHBOARD_SOURCE_DIR } from '../src/dashboard/paths.js';

export async function buildDashboard(outDir = DASHBOARD_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(DASHBOARD_SOURCE_DIR, 'client', 'main.ts')],
    outfile: path.join(outDir, 'dashboard.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'dashboard.css']) {
    copyFileSync(path.join(DASHBOARD_SOURCE_DIR, file), path.join(outDir, file));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDashboard();
  console.log(`dashboard built in ${path.relative(process.cwd(), DASHBOARD_DIR) || '.'}`);
}
