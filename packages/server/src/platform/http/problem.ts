import type { AppError, AppErrorKind, FieldError } from '../errors';

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

export const problems = {
  validation: (detail: string, errors: FieldError[] = []) =>
    new ProblemError(400, 'validation', 'Request is not valid', detail, { errors }),
  unauthenticated: (detail = 'Sign in or send an API token.') =>
    new ProblemError(401, 'unauthenticated', 'Authentication required', detail),
  forbidden: (detail: string) => new ProblemError(403, 'forbidden', 'Not allowed', detail),
  notFound: (what: string, id?: string) =>
    new ProblemError(
      404,
      'not-found',
      `${what} not found`,
      id ? `No ${what.toLowerCase()} with id ${id}.` : undefined,
    ),
  conflict: (detail: string, extensions: Record<string, unknown> = {}) =>
    new ProblemError(409, 'conflict', 'Conflicts with the current state', detail, {
      ...extensions,
      // Forms show field errors from `errors` for every problem type.
      ...(typeof extensions.field === 'string'
        ? { errors: [{ field: extensions.field, message: detail }] }
        : {}),
    }),
  unprocessable: (
    slug: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) => new ProblemError(422, slug, title, detail, extensions),
};
