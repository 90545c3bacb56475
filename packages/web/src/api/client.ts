/**
 * The one way the console talks to the server: same-origin fetch with the session cookie,
 * JSON in and out, and every failure turned into an ApiError carrying the RFC 9457 problem.
 */

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  /** What to show the operator: the problem's detail, else its title. */
  get detail(): string {
    return this.problem.detail ?? this.problem.title;
  }

  get fieldErrors(): FieldError[] {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** The text to show for any error a query or mutation produced. */
export function errorDetail(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | undefined;

/** Registered by the auth provider: a 401 from any call (other than sign-in) ends the session in the UI. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | undefined): void {
  onUnauthorized = handler;
}

const NO_REDIRECT_ON_401 = new Set(['/api/auth/login', '/api/auth/me']);

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = {
    type: 'about:blank',
    title: response.statusText || 'Request failed',
    status: response.status,
    detail: `The server answered ${response.status} ${response.statusText}.`.trim(),
  };
  const text = await response.text().catch(() => '');
  if (!text) return fallback;
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object') {
      return {
        ...fallback,
        ...body,
        status: typeof body.status === 'number' ? body.status : response.status,
      } as Problem;
    }
  } catch {
    // Not JSON (a proxy error page, for instance): keep the generic problem.
  }
  return fallback;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'Cannot reach the Openvelope server. Check your connection and try again.',
    });
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    if (response.status === 401 && !NO_REDIRECT_ON_401.has(path)) onUnauthorized?.();
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>(path, { signal });
export const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });
export const del = (path: string) => api<void>(path, { method: 'DELETE' });
