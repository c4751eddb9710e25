/**
 * The dashboard's only way to the server: same-origin fetches with the session cookie; state-changing calls carry
 * the session's CSRF token (synchronizer token from /audit/login or /audit/session).
 */
export class Unauthorized extends Error {
  override readonly name = 'Unauthorized';
}

let csrfToken: string | undefined;

interface ErrorBody {
  error?: { message?: string; details?: { path: string; message: string }[] };
}

async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 401) throw new Unauthorized('Please sign in');
  const data = res.status === 204 ? undefined : ((await res.json()) as unknown);
  if (!res.ok) {
    const error = (data as ErrorBody | undefined)?.error;
    const detail = error?.details?.map((d) => `${d.path.replace('/query/', '')} ${d.message}`).join('; ');
    throw new Error(
      detail ? `${error?.message}: ${detail}` : (error?.message ?? `The server answered ${res.status}`),
    );
  }
  return data as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>('GET', path);
export const putJson = <T>(path: string, body: unknown): Promise<T> => call<T>('PUT', path, body);

interface SessionInfo {
  csrfToken: string;
  expiresAt: string;
}

/** Resolves when a session cookie is already valid; throws Unauthorized otherwise. */
export async function resumeSession(): Promise<void> {
  csrfToken = (await call<SessionInfo>('GET', '/audit/session')).csrfToken;
}

export async function login(token: string): Promise<void> {
  csrfToken = (await call<SessionInfo>('POST', '/audit/login', { token })).csrfToken;
}

export async function logout(): Promise<void> {
  await call<void>('POST', '/audit/logout');
  csrfToken = undefined;
}
