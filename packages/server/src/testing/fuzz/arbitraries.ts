import fc from 'fast-check';
import { z } from 'zod';

// fast-check arbitraries for the fuzz suite: values shaped by a route's own request schema (so
// requests get past the first check and reach deeper), and the mutations that make them hostile.

/** The JSON Schema subset zod writes for our request schemas. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
}

const DAY = 86_400_000;

/** Values no field should accept, and the ones the probes found reaching the database. */
export const hostileValues: unknown[] = [
  null,
  true,
  [],
  {},
  '',
  '\u0000',
  'a\u0000b',
  'x'.repeat(5000),
  -1,
  0,
  1e21,
  1.7e308,
  -1.7e308,
  3_000_000_000,
  0.000001,
  'NaN',
  'Infinity',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-01:00',
  '2026-13-45T25:61:61Z',
  'zzz',
  '00000000-0000-0000-0000-000000000000',
  "'; DROP TABLE users; --",
  { $gt: '' },
  ['a', 'a'],
];

/** An instant around `now`: mostly near it, sometimes years away. */
function instantNear(now: Date): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.integer({ min: -2 * DAY, max: 2 * DAY }),
      fc.integer({ min: -12 * 366 * DAY, max: 12 * 366 * DAY }),
    )
    .map((offset) => new Date(now.getTime() + offset).toISOString());
}

function numberWithin(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
  const inside = integer
    ? fc.integer({ min: Math.ceil(Math.max(min, -1e9)), max: Math.floor(Math.min(max, 1e9)) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(
    { weight: 4, arbitrary: inside },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1, -0) },
  );
}

/** Values a JSON Schema describes, with ids drawn from `ids` (things that exist) half the time. */
export function arbitraryFromJsonSchema(
  schema: JsonSchema,
  context: { ids: readonly string[]; now: Date },
): fc.Arbitrary<unknown> {
  const of = (s: JsonSchema) => arbitraryFromJsonSchema(s, context);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map(of));
  if (schema.allOf?.[0]) return of(schema.allOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const shape = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, of(s)]));
      return fc.record(shape, { requiredKeys: schema.required ?? [], noNullPrototype: true });
    }
    case 'array':
      return fc.array(of(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'string':
      if (schema.format === 'uuid')
        return context.ids.length
          ? fc.oneof(fc.constantFrom(...context.ids), fc.uuid())
          : fc.uuid();
      if (schema.format === 'date-time') return instantNear(context.now);
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 24, 24),
      });
    case 'integer':
      return numberWithin(schema, true);
    case 'number':
      return numberWithin(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Plausible values for a zod request schema (its input side: what travels as JSON). */
export function arbitraryFromZod(
  schema: z.ZodType,
  context: { ids: readonly string[]; now: Date },
): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return arbitraryFromJsonSchema(json, context);
}

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = []): Path[] {
  const here = path.length ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}

function setAt(value: unknown, path: Path, replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = setAt(copy[head!], rest, replace);
  return copy;
}

function deleteAt(value: unknown, path: Path): unknown {
  const parent = path.slice(0, -1);
  const key = path.at(-1)!;
  return setAt(value, parent, (old) => {
    if (Array.isArray(old)) return old.filter((_, i) => i !== key);
    const { [key]: _dropped, ...rest } = old as Record<string, unknown>;
    return rest;
  });
}

/**
 * One mutation of a value: a field (or the whole value) replaced by a hostile value, a field
 * removed, an unknown field added, or the value replaced by random JSON.
 */
export function mutated(value: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(value);
  const hostile = fc.constantFrom(...hostileValues);
  const replaceSomewhere = paths.length
    ? fc
        .tuple(fc.constantFrom(...paths), hostile)
        .map(([path, bad]) => setAt(value, path, () => bad))
    : hostile;
  const removeSomewhere = paths.length
    ? fc.constantFrom(...paths).map((path) => deleteAt(value, path))
    : fc.constant(undefined);
  const addSomewhere = fc
    .tuple(fc.constantFrom([] as Path, ...paths), fc.string({ maxLength: 8 }), hostile)
    .map(([path, key, bad]) =>
      setAt(value, path, (old) =>
        old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [key]: bad } : old,
      ),
    );
  return fc.oneof(
    { weight: 4, arbitrary: replaceSomewhere },
    { weight: 2, arbitrary: removeSomewhere },
    { weight: 1, arbitrary: addSomewhere },
    { weight: 1, arbitrary: hostile },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}
