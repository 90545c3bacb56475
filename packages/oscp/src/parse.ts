import type { z } from 'zod';
import { OSCP_MESSAGES } from './endpoints';
import type { MessageBody, MessageKind } from './endpoints';
import { parsingAt } from './time';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ParseOptions {
  /** The reader's now: every timestamp must then lie within INSTANT_WINDOW_YEARS of it. */
  now?: Date;
}

/** More issues than this are summarised; a 400 body listing a thousand bad blocks helps no one. */
const MAX_LISTED_ISSUES = 10;

/**
 * Validates `input` against any of our wire schemas without throwing. The message names every
 * offending field path, e.g. `forecasted_blocks[2].capacity: must be >= 0`.
 */
export function parseWire<T>(
  schema: z.ZodType<T>,
  input: unknown,
  options: ParseOptions = {},
): ParseResult<T> {
  const parse = () => schema.safeParse(input, { error: describeIssue });
  const result = options.now ? parsingAt(options.now, parse) : parse();
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: formatIssues(result.error) };
}

/** Validates the JSON body of an OSCP message of the given kind. */
export function parseMessage<K extends MessageKind>(
  kind: K,
  body: unknown,
  options: ParseOptions = {},
): ParseResult<MessageBody<K>> {
  // MessageBody<K> is defined as the output of this very schema; TypeScript cannot see through a
  // generic index into the table, hence the cast.
  const schema = OSCP_MESSAGES[kind].schema as unknown as z.ZodType<MessageBody<K>>;
  return parseWire(schema, body, options);
}

/** `path: problem` for each issue, joined with `; `. */
export function formatIssues(error: z.ZodError): string {
  const lines = error.issues.flatMap((issue) =>
    // Name each unknown key as its own path: `forecasted_blocks[0].colour: unknown property`.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown property`)
      : [`${formatPath(issue.path)}: ${issue.message}`],
  );
  const listed = lines.slice(0, MAX_LISTED_ISSUES);
  if (lines.length > listed.length) listed.push(`and ${lines.length - listed.length} more`);
  return listed.join('; ');
}

/** `forecasted_blocks[2].capacity`; an issue with the whole body is reported on `body`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/**
 * Our wording for zod's issues. Used as a per-parse error map (it sees the offending input, which
 * the finished issue no longer carries) so it never changes zod's defaults for other packages.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  // JSON has no undefined, so an undefined input is always a missing property.
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    issue.input === undefined
  ) {
    return 'is required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${withArticle(issue.expected)} (got ${describeValue(issue.input)})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')} (got ${describeValue(issue.input)})`;
    case 'too_small':
      return describeBound(issue.origin, issue.minimum, issue.inclusive ?? true, 'min');
    case 'too_big':
      return describeBound(issue.origin, issue.maximum, issue.inclusive ?? true, 'max');
    case 'invalid_format':
      if (issue.format === 'datetime') {
        return 'must be an RFC 3339 date-time with seconds and an offset (Z or ±hh:mm)';
      }
      if (issue.format === 'url') return 'must be an absolute http(s) URL';
      return `must be a valid ${issue.format}`;
    default:
      return undefined; // zod's own message (custom checks carry their own)
  }
}

function describeBound(
  origin: string,
  limit: number | bigint,
  inclusive: boolean,
  side: 'min' | 'max',
): string {
  const n = Number(limit);
  if (origin === 'array') {
    return side === 'min'
      ? `must contain at least ${n} item${n === 1 ? '' : 's'}`
      : `must contain at most ${n} item${n === 1 ? '' : 's'}`;
  }
  if (origin === 'string') {
    if (side === 'min' && n === 1) return 'must not be empty';
    return `must be at ${side === 'min' ? 'least' : 'most'} ${n} characters long`;
  }
  const op = side === 'min' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `must be ${op} ${n}`;
}

function withArticle(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
