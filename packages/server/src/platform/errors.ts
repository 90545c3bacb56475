/**
 * Errors that app and domain code raise when a command cannot be carried out. They say what went
 * wrong in the product's terms; the http edge alone decides how each kind is answered (RFC 9457
 * problems for the management API), so nothing below the edge knows about HTTP.
 */

export type AppErrorKind = 'invalid' | 'not-found' | 'conflict' | 'forbidden' | 'unprocessable';

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    /** Short and stable: "Request is not valid", "Circuit not found". */
    readonly title: string,
    readonly detail?: string,
    /** Extra members for the client, e.g. `errors` (field errors) or the holder of a binding. */
    readonly extensions: Record<string, unknown> = {},
    /** A more specific name for the problem type than its kind, e.g. "scope-not-found". */
    readonly slug?: string,
  ) {
    super(detail ?? title);
  }

  /** What went wrong in one word: the slug, else the kind ("validation" for invalid input). */
  get reason(): string {
    return this.slug ?? (this.kind === 'invalid' ? 'validation' : this.kind);
  }
}

export const appErrors = {
  invalid: (detail: string, errors: FieldError[] = []) =>
    new AppError('invalid', 'Request is not valid', detail, { errors }),
  forbidden: (detail: string) => new AppError('forbidden', 'Not allowed', detail),
  notFound: (what: string, id?: string) =>
    new AppError(
      'not-found',
      `${what} not found`,
      id ? `No ${what.toLowerCase()} with id ${id}.` : undefined,
    ),
  conflict: (detail: string, extensions: Record<string, unknown> = {}) =>
    new AppError('conflict', 'Conflicts with the current state', detail, {
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
  ) => new AppError('unprocessable', title, detail, extensions, slug),
};
