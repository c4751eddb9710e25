/**
 * deploy/Dockerfile and deploy/kubernetes.yaml kept consistent with the code: the port default, the env names the
 * config reads, the probe paths the app serves, the start command the build produces, a non-root user, and the
 * example trusted-clients file the service would accept. (No Docker engine here: the image itself is not built.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../../src/config.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { loadTrustedClients } from '../../../src/security/trustedClients.js';
import { type TestApp, testApp } from '../../helpers/testApp.js';

const read = (relative: string): string => readFileSync(path.join(PROJECT_ROOT, relative), 'utf8');

const dockerfile = read('deploy/Dockerfile');
const manifest = read('deploy/kubernetes.yaml');
const configSource = read('src/config.ts');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const tsconfig = JSON.parse(read('tsconfig.json')) as {
  compilerOptions: { outDir: string; rootDir: string };
};

/** Dockerfile instructions (continuation lines joined), comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions grouped by stage (`FROM … AS name`). */
function stages(text: string): { name: string; from: string; steps: { op: string; args: string }[] }[] {
  const result: { name: string; from: string; steps: { op: string; args: string }[] }[] = [];
  for (const step of instructions(text)) {
    if (step.op === 'FROM') {
      const [from = '', , name = `stage${result.length}`] = step.args.split(/\s+/);
      result.push({ name, from, steps: [] });
    } else {
      result.at(-1)?.steps.push(step);
    }
  }
  return result;
}

function yamlDocuments(text: string): string[] {
  return text.split(/^---\s*$/m).filter((d) => /^kind:/m.test(d));
}

function documentOfKind(kind: string): string {
  const doc = yamlDocuments(manifest).find((d) => new RegExp(`^kind: ${kind}\\s*$`, 'm').test(d));
  if (!doc) throw new Error(`deploy/kubernetes.yaml has no ${kind}`);
  return doc;
}

/** The value of `key:` in the block that follows `section:` (first match), e.g. the readiness probe's path. */
function valueUnder(doc: string, section: string, key: string): string | undefined {
  const start = doc.indexOf(`${section}:`);
  if (start < 0) return undefined;
  return new RegExp(`^\\s*(?:- )?${key}:\\s*(\\S+)`, 'm')
    .exec(doc.slice(start))?.[1]
    ?.replace(/^["']|["']$/g, '');
}

/** `- name: X` / `value: …` pairs of the container's env, with `secret` naming the Secret key when from one. */
function containerEnv(doc: string): { name: string; value?: string; secretKey?: string }[] {
  const env = doc.slice(doc.indexOf('env:'), doc.indexOf('readinessProbe:'));
  return env
    .split(/^\s*- name: /m)
    .slice(1)
    .map((block) => {
      const name = block.split('\n')[0]?.trim() ?? '';
      const value = /^\s*value:\s*(.*)$/m
        .exec(block)?.[1]
        ?.trim()
        .replace(/^["']|["']$/g, '');
      const secretKey = /secretKeyRef:[\s\S]*?key:\s*(\S+)/.exec(block)?.[1];
      return { name, ...(value !== undefined ? { value } : {}), ...(secretKey ? { secretKey } : {}) };
    });
}

/** Keys of the Secret's `stringData`. */
function secretKeys(doc: string): string[] {
  const data = doc.slice(doc.indexOf('stringData:'));
  return [...data.matchAll(/^ {2}([A-Za-z0-9_.-]+):/gm)].map((m) => m[1] ?? '');
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Read by Node and libraries, not by our config. */
const RUNTIME_ENV = new Set(['NODE_ENV', 'NODE_OPTIONS']);

function configReads(name: string): boolean {
  return configSource.includes(`'${name}'`) || configSource.includes(`env.${name}`);
}

/** The start command package.json runs, as argv. */
const startArgv = (pkg.scripts.start ?? '').split(/\s+/);
const defaultPort = loadConfig({}).port;

describe('deploy/Dockerfile', () => {
  const all = stages(dockerfile);
  const build = all[0];
  const runtime = all.at(-1);

  it('is multi-stage: a build stage with the native toolchain, npm ci and the build; a runtime stage copying from it', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const buildRuns =
      build?.steps
        .filter((s) => s.op === 'RUN')
        .map((s) => s.args)
        .join('\n') ?? '';
    // better-sqlite3 compiles from source: python3, make and a C++ compiler.
    for (const tool of ['python3', 'make', 'g++']) expect(buildRuns).toContain(tool);
    expect(buildRuns).toContain('npm ci');
    expect(buildRuns).toContain('npm run build');
    expect(buildRuns).toMatch(/npm prune --omit=dev/);
    const copies = runtime?.steps.filter((s) => s.op === 'COPY').map((s) => s.args) ?? [];
    expect(copies.every((c) => c.includes(`--from=${build?.name ?? '?'}`))).toBe(true);
    expect(runtime?.from).toBe(build?.from);
  });

  it('copies into the runtime every project folder the code reads at run time', () => {
    const copied =
      runtime?.steps
        .filter((s) => s.op === 'COPY')
        .map((s) => s.args.split(/\s+/).at(-1)?.replace(/^\.\//, '')) ?? [];
    expect(copied).toEqual(expect.arrayContaining(['dist', 'node_modules']));
    // Folders the service opens relative to the project root (schemas, knowledge…), found in the sources.
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          for (const m of readFileSync(full, 'utf8').matchAll(/path\.join\(PROJECT_ROOT, '([^'/]+)/g))
            used.add(m[1] ?? '');
        }
      }
    };
    walk(path.join(PROJECT_ROOT, 'src'));
    // `src` itself is compiled into dist/.
    used.delete('src');
    expect(used.size).toBeGreaterThan(0);
    for (const folder of used) expect(copied).toContain(folder);
  });

  it('runs as a non-root user', () => {
    const users = runtime?.steps.filter((s) => s.op === 'USER').map((s) => s.args) ?? [];
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
  });

  it('exposes the default port, listens on all interfaces, and checks /healthz', () => {
    const expose = runtime?.steps.find((s) => s.op === 'EXPOSE')?.args;
    expect(Number(expose)).toBe(defaultPort);
    const env =
      runtime?.steps
        .filter((s) => s.op === 'ENV')
        .map((s) => s.args)
        .join(' ') ?? '';
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(env).toMatch(new RegExp(`PORT=${defaultPort}\\b`));
    for (const [, name] of env.matchAll(/([A-Z][A-Z0-9_]*)=/g)) {
      if (name && !RUNTIME_ENV.has(name))
        expect({ name, read: configReads(name) }).toEqual({ name, read: true });
    }
    const healthcheck = runtime?.steps.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toContain('/healthz');
  });

  it('starts the way package.json does, from the build output path', () => {
    const cmd = JSON.parse(runtime?.steps.find((s) => s.op === 'CMD')?.args ?? '[]') as string[];
    expect(cmd).toEqual(startArgv);
    // tsc writes src/index.ts to <outDir>/<path from rootDir>.
    const entry = path.posix.join(
      tsconfig.compilerOptions.outDir,
      path.posix.relative(tsconfig.compilerOptions.rootDir, 'src/index.js'),
    );
    expect(cmd.at(-1)).toBe(entry);
    expect(existsSync(path.join(PROJECT_ROOT, 'src', 'index.ts'))).toBe(true);
  });
});

describe('deploy/kubernetes.yaml', () => {
  const deployment = documentOfKind('Deployment');
  const secret = documentOfKind('Secret');
  const service = documentOfKind('Service');
  const env = containerEnv(deployment);
  let app: TestApp;

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.deps.store.close();
  });

  it('names only environment variables the config reads', () => {
    expect(env.length).toBeGreaterThan(5);
    for (const { name } of env) {
      expect(name).toMatch(ENV_NAME);
      expect({ name, read: configReads(name) }).toEqual({ name, read: true });
    }
  });

  it('takes DATABASE_URL, AUDIT_TOKENS and AZURE_OPENAI_API_KEY from the Secret, which holds them', () => {
    const keys = secretKeys(secret);
    const fromSecret = Object.fromEntries(env.filter((e) => e.secretKey).map((e) => [e.name, e.secretKey]));
    for (const name of ['DATABASE_URL', 'AUDIT_TOKENS', 'AZURE_OPENAI_API_KEY']) {
      expect(fromSecret[name]).toBe(name);
      expect(keys).toContain(name);
    }
    for (const key of Object.values(fromSecret)) expect(keys).toContain(key);
  });

  it('mounts the trusted clients file from the Secret where TRUSTED_CLIENTS_FILE points, in a form the service accepts', () => {
    const file = env.find((e) => e.name === 'TRUSTED_CLIENTS_FILE')?.value ?? '';
    const mountPath = /- name: trusted-clients\s*\n\s*mountPath:\s*(\S+)/.exec(deployment)?.[1];
    const itemPath = valueUnder(deployment, 'items', 'path');
    expect(file).toBe(`${mountPath ?? '?'}/${itemPath ?? '?'}`);
    expect(secretKeys(secret)).toContain(itemPath);
    // The example in the Secret, as the service would read it.
    const block = /trusted-clients\.json: \|\n((?: {4}.*\n?)+)/.exec(secret)?.[1] ?? '';
    const tmp = path.join(mkdtempSync(path.join(os.tmpdir(), 'deploy-test-')), 'trusted-clients.json');
    writeFileSync(tmp, block.replace(/^ {4}/gm, ''));
    expect(loadTrustedClients(tmp).length).toBeGreaterThan(0);
  });

  it('serves on the configured port, and the Service targets it', () => {
    const port = env.find((e) => e.name === 'PORT')?.value;
    expect(Number(port)).toBe(defaultPort);
    expect(Number(valueUnder(deployment, 'ports', 'containerPort'))).toBe(defaultPort);
    expect(env.find((e) => e.name === 'HOST')?.value).toBe('0.0.0.0');
    expect(valueUnder(service, 'ports', 'targetPort')).toBe(valueUnder(deployment, 'ports', 'name'));
  });

  it('probes /readyz for readiness and /healthz for liveness, and the app answers both', async () => {
    const readiness = valueUnder(deployment, 'readinessProbe', 'path');
    const liveness = valueUnder(deployment, 'livenessProbe', 'path');
    expect(readiness).toBe('/readyz');
    expect(liveness).toBe('/healthz');
    await request(app.app)
      .get(readiness ?? '')
      .expect(200);
    await request(app.app)
      .get(liveness ?? '')
      .expect(200);
  });

  it("leaves room above the start command's heap cap within the memory limit", () => {
    const heapCapMb = Number(/--max-old-space-size=(\d+)/.exec(startArgv.join(' '))?.[1]);
    const semiSpaceMb = Number(/--max-semi-space-size=(\d+)/.exec(startArgv.join(' '))?.[1] ?? 16);
    const limitMi = Number(/limits:[\s\S]*?memory:\s*(\d+)Mi/.exec(deployment)?.[1]);
    expect(heapCapMb).toBeGreaterThan(0);
    // The young generation is three semi-spaces; code, buffers, the writer thread and SQLite live outside the heap
    // (about 130 MB measured at rest).
    expect(limitMi).toBeGreaterThanOrEqual(heapCapMb + 3 * semiSpaceMb + 150);
  });

  it('runs the build output as a non-root user, like package.json start', () => {
    const command = /command:\s*(\[.*\])/.exec(deployment)?.[1] ?? '[]';
    // A YAML flow sequence of plain strings: JSON once its quotes are double.
    expect(JSON.parse(command.replace(/'/g, '"'))).toEqual(startArgv);
    expect(valueUnder(deployment, 'securityContext', 'runAsNonRoot')).toBe('true');
    expect(Number(valueUnder(deployment, 'securityContext', 'runAsUser'))).toBeGreaterThan(0);
  });
});
