import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifySchema,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Logger } from '../logging';
import type { Metrics } from './metrics';
import { AppError } from '../errors';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemFrom,
  problems,
  type FieldError,
} from './problem';
import { validatingAt } from './bounds';
import { registerBrowserProtection } from './browser-protection';
import { checkBodyText, registerInputRules } from './input-rules';
import { enforceAccess } from './route-access';

export type HttpApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  Logger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  log: Logger;
  metrics: Metrics;
  /** Request instants are validated against its now. */
  clock: Clock;
  /** The URL users reach the console at (PUBLIC_URL). */
  publicUrl?: string | undefined;
  /**
   * The proxies whose X-Forwarded-* headers are believed (addresses, CIDR ranges, or proxy-addr's
   * `loopback`, `linklocal`, `uniquelocal`). Without it the client is the socket's peer.
   */
  trustProxy?: readonly string[] | undefined;
  webDistDir?: string | undefined;
  /** Extra OpenAPI text shown on the docs page (e.g. the OSCP route shape). */
  apiDescription?: string;
}

/** A route as it was declared: what the contract test reads to find routes without schemas. */
export interface RouteDeclaration {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
}

const declarations = new WeakMap<object, RouteDeclaration[]>();

/** Every route declared on an app created by `createHttpServer`, in declaration order. */
export function declaredRoutes(app: HttpApp): readonly RouteDeclaration[] {
  return declarations.get(app) ?? [];
}

function fieldErrors(error: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  return error.validation.map((v) => ({
    field: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(body)',
    message: v.message ?? 'is not valid',
  }));
}

/** The Fastify instance every context mounts its routes on, with the platform's cross-cutting rules. */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.log,
    // Our onResponse hook logs each request once, with semantic-convention names.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && header.length > 0 && header.length <= 128
        ? header
        : crypto.randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;

  // OAuth2 token requests are form-encoded.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const form = Object.fromEntries(new URLSearchParams(body as string));
      try {
        checkBodyText(form);
        done(null, form);
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  registerInputRules(app);
  // Every request is validated at the clock's now: its instants must lie within the window of it.
  app.setValidatorCompiler((route) => {
    const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
    return (data) => validatingAt(options.clock.now(), () => validate(data));
  });
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);

  await app.register(fastifyCookie);
  await registerBrowserProtection(app, { publicUrl: options.publicUrl });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Openvelope API',
        version: '0.1.0',
        description:
          options.apiDescription ?? 'Management API of the Openvelope Flexibility Provider.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ov_session' },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  const declared: RouteDeclaration[] = [];
  declarations.set(app, declared);
  // Every /api route must say who may call it: forgetting is a start-up failure, not an open door.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) declared.push({ method, url: route.url, schema: route.schema });
    // The docs page and its assets are exempt; /api/docsearch or /api/docs-admin are not.
    const isDocs = route.url === '/api/docs' || route.url.startsWith('/api/docs/');
    const isApi = route.url.startsWith('/api/') && !isDocs;
    if (isApi && route.config?.allow === undefined) {
      throw new Error(`Route ${route.method} ${route.url} does not declare who may call it`);
    }
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get(
    '/api/openapi.json',
    {
      config: { allow: 'public' },
      schema: { hide: true, response: { 200: z.record(z.string(), z.unknown()) } },
    },
    () => app.swagger() as unknown as Record<string, unknown>,
  );

  // Access is decided before the body is parsed or validated: an anonymous or unauthorised caller
  // gets 401/403, never a validation answer that describes the route's schema.
  app.addHook('preParsing', async (request, reply, payload) => {
    await enforceAccess(request, reply);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpDuration.observe(
      {
        http_request_method: request.method,
        http_route: route,
        http_response_status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    const level = reply.statusCode >= 500 ? 'error' : 'debug';
    request.log[level](
      {
        'http.request.method': request.method,
        'url.path': request.url.split('?')[0],
        'http.route': route,
        'http.response.status_code': reply.statusCode,
        'http.server.request.duration_ms': Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let problem: ProblemError;
    if (error instanceof ProblemError) {
      problem = error;
    } else if (error instanceof AppError) {
      problem = problemFrom(error);
    } else if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const errors = fieldErrors(error);
      const detail = errors.length
        ? errors.map((e) => `${e.field}: ${e.message}`).join('; ')
        : error.message;
      problem = problems.validation(detail, errors);
    } else if (error.statusCode === 429) {
      problem = new ProblemError(429, 'rate-limited', 'Too many requests', error.message);
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large…
      problem = new ProblemError(error.statusCode, 'bad-request', 'Bad request', error.message);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      problem = new ProblemError(
        500,
        'internal',
        'Internal error',
        `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
      );
    }
    void reply
      .code(problem.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem.toBody(request.url.split('?')[0]));
  });

  const webDist = options.webDistDir;
  const serveWeb = webDist !== undefined && existsSync(webDist);
  if (serveWeb) {
    // Wildcard: a rebuilt console's new asset names are served without a restart.
    await app.register(fastifyStatic, { root: webDist, wildcard: true });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isApiLike = /^\/(api|oscp|healthz|readyz|metrics)(\/|$)/.test(path);
    if (serveWeb && request.method === 'GET' && !isApiLike) {
      // The console is a single-page app: its routes are resolved in the browser.
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        new ProblemError(
          404,
          'not-found',
          'Not found',
          `No route ${request.method} ${path}.`,
        ).toBody(path),
      );
  });

  return app;
}
