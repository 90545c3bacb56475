import { appErrors, type AppError, type AppErrorKind, type FieldError } from '../errors';

/**
 * RFC 9457 problem details. Every management API error leaves the server as one of these;
 * routes throw ProblemError, app code throws AppError (mapped by `problemFrom`), and the error
 * handler renders both.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  /** Fastify's name for the status, read by error handlers that know no problems (OSCP's). */
  get statusCode(): number {
    return this.status;
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: problemType(this.slug),
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export function problemType(slug: string): string {
  return `urn:openvelope:problem:${slug}`;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type { FieldError } from '../errors';

const STATUS_OF: Record<AppErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
};

/** The one mapping from the app's errors to the management API's problems. */
export function problemFrom(error: AppError): ProblemError {
  return new ProblemError(
    STATUS_OF[error.kind],
    error.reason,
    error.title,
    error.detail,
    error.extensions,
  );
}

/** Problems routes raise themselves: the app's errors, plus what only the edge knows (401). */
export const problems = {
  validation: (detail: string, errors: FieldError[] = []) =>
    problemFrom(appErrors.invalid(detail, errors)),
  unauthenticated: (detail = 'Sign in or send an API token.') =>
    new ProblemError(401, 'unauthenticated', 'Authentication required', detail),
  forbidden: (detail: string) => problemFrom(appErrors.forbidden(detail)),
  notFound: (what: string, id?: string) => problemFrom(appErrors.notFound(what, id)),
  conflict: (detail: string, extensions: Record<string, unknown> = {}) =>
    problemFrom(appErrors.conflict(detail, extensions)),
  unprocessable: (
    slug: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) => problemFrom(appErrors.unprocessable(slug, title, detail, extensions)),
};
