import { ApiError } from './api/client';

export type FieldErrors = Record<string, string>;

/** The problem's per-field errors as field → message (first message wins). */
export function fieldErrorsOf(error: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.fieldErrors) {
    if (!(e.field in out)) out[e.field] = e.message;
  }
  // A conflict may name its field as an extension (e.g. `{ field: 'username' }`).
  const field = error.problem.field;
  if (typeof field === 'string' && !(field in out)) out[field] = error.detail;
  return out;
}

/** The message for a field: an exact match, else the first nested one (`phases` ← `phases.1`). */
export function errorFor(errors: FieldErrors, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const prefix = `${field}.`;
  const nested = Object.keys(errors).find((k) => k.startsWith(prefix));
  return nested ? errors[nested] : undefined;
}

/** Merge client-side checks over server errors, client first. */
export function mergeErrors(client: FieldErrors, server: FieldErrors): FieldErrors {
  return { ...server, ...client };
}

/** A number from a Mantine NumberInput value ('' when empty). */
export function toNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
