import fastifyHelmet from '@fastify/helmet';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from './problem';
import type { HttpApp } from './server';

// A signed-in browser carries its session cookie to every request it makes, including those a
// page of another origin makes it send. So state-changing management requests accept JSON only
// (a cross-site form cannot send it without the preflight we never answer) and must come from the
// console's own origin; and every page and answer of the console and API carries the headers that
// keep it out of frames and stop content sniffing (ADR 0031). Machine endpoints (the OSCP
// protocol, its token endpoint, the OCPP WebSocket) are authenticated by tokens, not cookies, and
// are left alone.

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Endpoints that peers and chargers call, never a browser session. */
export function isMachinePath(url: string): boolean {
  return /^\/(oscp|oauth2|ocpp)(\/|$|\?)/.test(url);
}

function isManagementApi(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

function isJson(contentType: string): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType.trim());
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}

export interface BrowserProtectionOptions {
  /** The URL users reach the console at (PUBLIC_URL); an https URL turns HSTS on. */
  publicUrl?: string | undefined;
}

const unsupportedMediaType = () =>
  new ProblemError(
    415,
    'unsupported-media-type',
    'Unsupported media type',
    'Send the request body as JSON (Content-Type: application/json).',
  );

const crossOrigin = (detail: string) =>
  new ProblemError(403, 'cross-origin', 'Cross-origin request refused', detail);

export async function registerBrowserProtection(
  app: HttpApp,
  options: BrowserProtectionOptions,
): Promise<void> {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const https = publicOrigin?.startsWith('https://') ?? false;

  await app.register(fastifyHelmet, {
    global: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        // The console's component library sets its theme in style elements.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!isMachinePath(request.url)) reply.helmet();
  });

  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method) || !isManagementApi(request.url)) return;
    const contentType = request.headers['content-type'];
    if (contentType !== undefined ? !isJson(contentType) : hasBody(request))
      throw unsupportedMediaType();
    // Browsers say where a request comes from; scripts and tools send neither header.
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw crossOrigin(`Requests from another site (${site}) may not change anything here.`);
    const origin = request.headers.origin;
    const ownOrigin = `${request.protocol}://${request.host}`;
    if (origin !== undefined && origin !== ownOrigin && origin !== publicOrigin)
      throw crossOrigin(`Requests from ${origin} may not change anything here.`);
  });
}
