import { isIP } from 'node:net';
import { z } from 'zod';

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || !address || !isIP(address)) return false;
  if (prefix === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
}

/** Every setting comes from the environment, validated once at start-up. Defaults make `npm start` work on an empty machine. */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /**
   * The reverse proxies in front of us, comma-separated (addresses, CIDR ranges, loopback,
   * linklocal, uniquelocal). Only their X-Forwarded-For is believed; without it the client is the
   * socket's peer, so no caller can choose the address sign-in throttling counts against.
   */
  TRUST_PROXY: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .refine((entries) => entries.every(isProxyEntry), {
      message:
        'must list addresses, CIDR ranges, loopback, linklocal or uniquelocal, comma-separated',
    })
    .optional(),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SCHEDULER_POLL_MS: z.coerce.number().int().positive().default(250),
  DISPATCHER_POLL_MS: z.coerce.number().int().positive().default(200),
  OSCP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  OSCP_MAX_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  OSCP_FORECAST_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  OSCP_RETRY_BASE_DELAY_MS: z.coerce.number().int().positive().default(2000),
  OSCP_REGISTRATION_REPLY_TIMEOUT_S: z.coerce.number().int().positive().default(60),
  OSCP_HANDSHAKE_ACK_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
  OSCP_HEARTBEAT_RETENTION_HOURS: z.coerce.number().positive().default(24),
  OSCP_RECORD_RETENTION_DAYS: z.coerce.number().positive().default(30),
  OSCP_MEASUREMENT_RETENTION_DAYS: z.coerce.number().positive().default(400),
  METER_READING_RETENTION_DAYS: z.coerce.number().positive().default(7),
  OCPP_HEARTBEAT_INTERVAL_S: z.coerce.number().int().min(10).max(86_400).default(60),
  OCPP_CALL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  OCPP_LIMIT_DEADBAND_A: z.coerce.number().min(0).max(32).default(1),
  OCPP_LIMIT_POLL_MS: z.coerce.number().int().positive().default(200),
  /** Finished (expired or withdrawn) envelopes and capacity history older than this are pruned. */
  ENVELOPE_RETENTION_DAYS: z.coerce.number().positive().default(30),
  DEMO: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  DEPOT_SIM_TICK_MS: z.coerce.number().int().positive().default(2000),
  /** Vehicles arrive and leave by themselves in the demo; off for deterministic journeys. */
  DEPOT_SIM_SCHEDULE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  WEB_DIST_DIR: z.string().optional(),
  /** Port of the Capacity Provider simulator started with the demo (default PORT + 1). */
  DEMO_CP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DEMO_CP_HEARTBEAT_S: z.coerce.number().int().min(1).default(10),
  /** Port of the depot simulator's control API (breach scenarios; default PORT + 2). */
  DEMO_DEPOT_SIM_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** base64 of 32 bytes; without it a key file is created in SECRETS_KEY_FILE (default DATA_DIR/secrets.key). */
  SECRETS_KEY: z.string().optional(),
  SECRETS_KEY_FILE: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (DATABASE_URL=) means "not set", as shells and CI files write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
