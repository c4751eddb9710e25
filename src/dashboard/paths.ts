/** Where the built dashboard (page, bundle, styles) is served from: `dist/dashboard`, built by scripts/build-dashboard.ts. */
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

export const DASHBOARD_SOURCE_DIR = path.join(PROJECT_ROOT, 'src', 'dashboard');
export const DASHBOARD_DIR = path.join(PROJECT_ROOT, 'dist', 'dashboard');
