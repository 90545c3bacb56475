import { schemaResolver, useForm, type FormErrors, type UseFormReturnType } from '@mantine/form';
import type { z } from 'zod';
import { ApiError } from '../api/client';
import './messages';

/** The problem's per-field errors, keyed by the request body's field path (first message wins). */
export function serverFieldErrors(error: unknown): FormErrors {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.fieldErrors) {
    if (!(e.field in out)) out[e.field] = e.message;
  }
  // A conflict may name its field as an extension (e.g. `{ field: 'username' }`).
  const field = error.problem.field;
  if (typeof field === 'string' && !(field in out)) out[field] = error.detail;
  return out;
}

/** Checks a request with the server's schema; errors keyed by field path, as the form shows them. */
export function schemaErrors(schema: z.ZodType, request: unknown): FormErrors {
  return schemaResolver(schema, { sync: true })(request);
}

interface SchemaFormOptions<Values, Schema extends z.ZodType> {
  initialValues: Values;
  /** The server's schema for the request these values become. */
  schema: Schema;
  /** The request the values become; its field paths are the form's, so errors land in place. */
  toRequest: (values: Values) => unknown;
  /** Further rules of the server's that its schema alone does not carry. */
  rules?: (request: z.output<Schema>) => FormErrors;
}

export type SchemaForm<Values, Schema extends z.ZodType> = UseFormReturnType<
  Values,
  z.output<Schema>,
  (values: Values) => FormErrors
>;

/**
 * A form checked by the server's own request schema before anything is sent: the values are
 * turned into the request and validated with it. Submitting hands over the request as the server
 * will read it (the schema's output, defaults applied).
 */
export function useSchemaForm<Values extends Record<string, unknown>, Schema extends z.ZodType>({
  initialValues,
  schema,
  toRequest,
  rules,
}: SchemaFormOptions<Values, Schema>): SchemaForm<Values, Schema> {
  return useForm<Values, z.output<Schema>, FormErrors>({
    mode: 'controlled',
    initialValues,
    validate: (values: Values): FormErrors => {
      const parsed = schema.safeParse(toRequest(values));
      if (!parsed.success) return schemaErrors(schema, toRequest(values));
      return rules?.(parsed.data) ?? {};
    },
    // Only valid values are submitted, so the parse succeeds.
    transformValues: (values) => schema.parse(toRequest(values)),
  });
}

/**
 * The form's submit handler: a valid request goes to `send` (a mutation's `mutate`), and the
 * field errors of a problem the server answers land on the form's fields.
 */
export function submitTo<Values, Schema extends z.ZodType>(
  form: SchemaForm<Values, Schema>,
  send: (request: z.output<Schema>, options: { onError: (error: unknown) => void }) => void,
) {
  return form.onSubmit((request) =>
    send(request, { onError: (error) => form.setErrors(serverFieldErrors(error)) }),
  );
}
