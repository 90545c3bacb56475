// The rooms of the architecture guide, enforced: `npm run check` fails on any import that breaks
// one of these rules (docs/architecture.md, "Rooms").
const SERVER = '^packages/server/src/';
const CONTEXT = `${SERVER}(microgrid|oscp|ocpp|notifications)/`;
const TEST_CODE = '(\\.test\\.ts$|^packages/server/src/testing/)';
// Node built-ins that reach outside the process.
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|tls|child_process|worker_threads|cluster)$';
/** An npm package as dependency-cruiser sees it: by where it resolved. */
const npm = (...names) => `(^|/)node_modules/(${names.join('|')})/`;
// Packages that talk to a database, a network or a log.
const IO_PACKAGES = npm(
  'kysely',
  'pg',
  '@electric-sql/pglite',
  'fastify',
  '@fastify/[^/]+',
  'pino',
  'undici',
  'ws',
  'ocpp-rpc',
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'domain/ holds types, events, deciders and pure policies: it imports nothing that does I/O, and no other room.',
      severity: 'error',
      from: { path: `${CONTEXT}domain/`, pathNot: TEST_CODE },
      to: {
        path: [
          `${CONTEXT}(app|store|http)/`,
          `${SERVER}platform/`,
          `${SERVER}testing/`,
          IO_BUILTINS,
          IO_PACKAGES,
          '^packages/oscp/src/client',
        ],
      },
    },
    {
      name: 'app-and-domain-know-no-http',
      comment:
        'App and domain code raise typed errors; the http edge alone maps them to problems and statuses.',
      severity: 'error',
      from: { path: `${CONTEXT}(app|domain)/`, pathNot: TEST_CODE },
      to: {
        path: [`${SERVER}platform/http/`, `${CONTEXT}http/`, npm('fastify', '@fastify/[^/]+')],
      },
    },
    {
      name: 'app-holds-no-sql',
      comment: 'SQL lives in store/ (and the platform): app/ composes stores, it does not query.',
      severity: 'error',
      from: { path: `${CONTEXT}app/`, pathNot: TEST_CODE },
      to: { path: npm('kysely', 'pg', '@electric-sql/pglite') },
    },
    {
      name: 'http-reaches-no-storage',
      comment: 'Routes parse, call app/ and reply: they do not reach a store or the database.',
      severity: 'error',
      from: { path: `${CONTEXT}http/`, pathNot: TEST_CODE },
      to: {
        path: [
          `${CONTEXT}store/`,
          `${SERVER}platform/db/`,
          `${SERVER}platform/events/`,
          `${SERVER}platform/outbox/outbox`,
          npm('kysely', 'pg'),
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'microgrid-knows-no-protocol',
      comment:
        'The microgrid is protocol-agnostic: OSCP (and any other adapter) reaches it through its contracts, never the other way round.',
      severity: 'error',
      from: { path: `${SERVER}microgrid/` },
      to: { path: [`${SERVER}(oscp|ocpp)/`, '^packages/oscp/', '^@openvelope/oscp'] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Production code never imports test set-ups or test files.',
      severity: 'error',
      from: {
        path: '^packages/',
        pathNot: ['\\.test\\.ts$', '/testing/', '^packages/sim/src/cp/testing\\.ts$'],
      },
      to: { path: ['\\.test\\.ts$', `${SERVER}testing/`] },
    },
    {
      name: 'protocol-library-stands-alone',
      comment: 'packages/oscp is a pure library shared by the server and the simulators.',
      severity: 'error',
      from: { path: '^packages/oscp/' },
      to: { path: ['^packages/(server|sim|web)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^packages/[^/]+/dist/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
