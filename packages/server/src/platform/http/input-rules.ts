import { problems } from './problem';
import type { HttpApp } from './server';

// Rules every request keeps on every route, management and protocol alike, before any schema or
// handler sees it (ADR 0030): no NUL character in any string (PostgreSQL text cannot hold one),
// and every query parameter given once.

/** The path of the first string holding a NUL character, or undefined. */
export function pathOfNul(value: unknown, path: (string | number)[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? fieldName(path) : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = pathOfNul(item, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return fieldName([...path, key]);
      const found = pathOfNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** `blocks.0.start`, as field errors name fields; `(body)` for the whole value. */
function fieldName(path: (string | number)[]): string {
  return path.length === 0 ? '(body)' : path.join('.');
}

export const nulProblem = (field: string) =>
  problems.validation(`${field}: must not contain NUL characters`, [
    { field, message: 'must not contain NUL characters' },
  ]);

/** Refuses a parsed body holding a NUL character anywhere. */
export function checkBodyText(value: unknown): void {
  const field = pathOfNul(value);
  if (field) throw nulProblem(field);
}

/**
 * JSON bodies are parsed by Fastify's own parser (which refuses prototype poisoning), then refused
 * if any string holds a NUL. Query parameters must be single-valued and free of NUL, path
 * parameters free of NUL.
 */
export function registerInputRules(app: HttpApp): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const field = pathOfNul(value);
      return field ? done(nulProblem(field), undefined) : done(null, value);
    });
  });

  app.addHook('preValidation', async (request) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value))
        throw problems.validation(`${name}: give this query parameter once`, [
          { field: name, message: 'give this query parameter once' },
        ]);
    }
    const field = pathOfNul(query) ?? pathOfNul(request.params ?? {});
    if (field) throw nulProblem(field);
  });
}
