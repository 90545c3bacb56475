// Cross-checks our zod schemas against SolarNetwork's JSON-Schema transcription of OSCP 2.0, read
// at test time from ../shared/oscp-2.0 beside the repository (never copied into it: GPL-2.0).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { messageBodyArbs } from './arbitraries';
import {
  ASSET_CATEGORIES,
  CAPACITY_FORECAST_TYPES,
  ENERGY_FLOW_DIRECTIONS,
  ENERGY_MEASUREMENT_UNITS,
  ENERGY_TYPES,
  FORECASTED_BLOCK_UNITS,
  INSTANTANEOUS_MEASUREMENT_UNITS,
  MEASUREMENT_CONFIGURATIONS,
  PHASE_INDICATORS,
} from './enums';
import { MESSAGE_KINDS, OSCP_MESSAGES } from './endpoints';
import type { MessageKind } from './endpoints';
import { formatPath, parseMessage } from './parse';
import { toWireTime } from './time';
import {
  assetMeasurementSchema,
  energyMeasurementSchema,
  errorBodySchema,
  forecastedBlockSchema,
  instantaneousMeasurementSchema,
  requiredBehaviourSchema,
  versionUrlSchema,
} from './types';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const oscpDir = path.resolve(repoRoot, '..', 'shared', 'oscp-2.0');
const schemasDir = path.join(oscpDir, 'schemas');
const examplesDir = path.join(oscpDir, 'examples');
const present = existsSync(schemasDir) && existsSync(examplesDir);

const RUNS = { numRuns: 100 };

/** The subset of JSON Schema draft-07 these files use. */
interface JsonSchema {
  $id?: string;
  $ref?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  minItems?: number;
  uniqueItems?: boolean;
}

const MESSAGE_SCHEMA_FILE: Record<MessageKind, string> = {
  Register: 'register.json',
  Handshake: 'handshake.json',
  HandshakeAcknowledge: 'handshake-acknowledge.json',
  Heartbeat: 'heartbeat.json',
  UpdateGroupCapacityForecast: 'update-group-capacity-forecast.json',
  AdjustGroupCapacityForecast: 'adjust-group-capacity-forecast.json',
  GroupCapacityComplianceError: 'group-capacity-compliance-error.json',
  UpdateGroupMeasurements: 'update-group-measurements.json',
  UpdateAssetMeasurements: 'update-asset-measurements.json',
};

const OBJECT_SCHEMA_FILE: Record<string, z.ZodObject> = {
  ...Object.fromEntries(
    MESSAGE_KINDS.map((k) => [MESSAGE_SCHEMA_FILE[k], OSCP_MESSAGES[k].schema]),
  ),
  'version-url.json': versionUrlSchema,
  'required-behaviour.json': requiredBehaviourSchema,
  'forecasted-block.json': forecastedBlockSchema,
  'energy-measurement.json': energyMeasurementSchema,
  'instantaneous-measurement.json': instantaneousMeasurementSchema,
  'asset-measurement.json': assetMeasurementSchema,
  'error.json': errorBodySchema,
};

const ENUM_SCHEMA_FILE: Record<string, readonly string[]> = {
  'capacity-forecast-type.json': CAPACITY_FORECAST_TYPES,
  'phase-indicator.json': PHASE_INDICATORS,
  'forecasted-block-unit.json': FORECASTED_BLOCK_UNITS,
  'energy-measurement-unit.json': ENERGY_MEASUREMENT_UNITS,
  'instantaneous-measurement-unit.json': INSTANTANEOUS_MEASUREMENT_UNITS,
  'energy-flow-direction.json': ENERGY_FLOW_DIRECTIONS,
  'energy-type.json': ENERGY_TYPES,
  'measurement-configuration.json': MEASUREMENT_CONFIGURATIONS,
  'asset-category.json': ASSET_CATEGORIES,
};

/** Header-based segmentation replaces this body-based schema; we do not model it. */
const NOT_MODELLED = ['paginated-request.json'];

/** Properties we require although the transcribed schema leaves them optional. */
const OUR_EXTRA_REQUIRED: Record<string, string[]> = { 'handshake.json': ['required_behaviour'] };

const EXAMPLE_KIND: Record<string, MessageKind> = {
  'test-oscp-handshake-01.json': 'Handshake',
  'test-oscp-update-group-capacity-forecast-01.json': 'UpdateGroupCapacityForecast',
};

type Path = (string | number)[];
type Json = unknown;

/** One node of a message, with the (dereferenced) schema that describes it. */
interface Site {
  kind: MessageKind;
  path: Path;
  schema: JsonSchema;
  value: Json;
  /** The parent object lists this property as required. */
  required: boolean;
}

/** A change that makes a valid message invalid; `reportedAt` defaults to the changed path. */
interface Mutation {
  name: string;
  applies: (site: Site) => boolean;
  replace: (site: Site) => fc.Arbitrary<{ value: Json; reportedAt?: Path }>;
  /** What our message must say about `reportedAt`, after `path: `. */
  problem: string;
}

const DELETE = Symbol('delete');

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const lastSegment = (site: Site): string | number | undefined => site.path[site.path.length - 1];

function setAt(root: Json, at: Path, value: Json): Json {
  const copy = structuredClone(root);
  if (at.length === 0) return value;
  let node = copy as Record<string | number, Json>;
  for (const segment of at.slice(0, -1)) node = node[segment] as Record<string | number, Json>;
  const key = at[at.length - 1] as string | number;
  if (value === DELETE) delete node[key];
  else node[key] = value;
  return copy;
}

/** Valid bodies as they arrive off the wire (JSON round trip: no -0, no prototypes). */
const wire = <T>(value: T): Json => JSON.parse(JSON.stringify(value));

describe.skipIf(!present)(
  present
    ? 'conformance with the OSCP 2.0 JSON Schemas in ../shared/oscp-2.0'
    : 'conformance SKIPPED: ../shared/oscp-2.0/schemas not found beside the repository',
  () => {
    const files = new Map<string, JsonSchema>();
    const validators = {} as Record<MessageKind, ValidateFunction>;

    beforeAll(() => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      for (const file of readdirSync(schemasDir).filter((f) => f.endsWith('.json'))) {
        const schema = JSON.parse(readFileSync(path.join(schemasDir, file), 'utf8')) as JsonSchema;
        files.set(file, schema);
        // Register under the file name, not the declared $id: cross-file $refs are bare file names
        // and two files declare an $id that differs from their name (version_url.json,
        // update-asset-measurement.json), which would leave those refs dangling.
        const { $id: _declared, ...rest } = schema;
        ajv.addSchema(rest, file);
      }
      for (const kind of MESSAGE_KINDS) {
        const validate = ajv.getSchema(MESSAGE_SCHEMA_FILE[kind]);
        if (!validate) throw new Error(`no schema for ${kind}`);
        validators[kind] = validate;
      }
    });

    function deref(schema: JsonSchema): JsonSchema {
      let current = schema;
      while (current.$ref !== undefined) {
        const target = files.get(current.$ref);
        if (!target) throw new Error(`unresolved $ref ${current.$ref}`);
        current = target;
      }
      return current;
    }

    function sitesOf(kind: MessageKind, body: Json): Site[] {
      const out: Site[] = [];
      const visit = (value: Json, schema: JsonSchema, at: Path, required: boolean): void => {
        const s = deref(schema);
        out.push({ kind, path: at, schema: s, value, required });
        if (isRecord(value)) {
          for (const [key, sub] of Object.entries(s.properties ?? {})) {
            if (key in value)
              visit(value[key], sub, [...at, key], s.required?.includes(key) ?? false);
          }
        } else if (Array.isArray(value) && s.items) {
          const items = s.items;
          value.forEach((item, i) => visit(item, items, [...at, i], false));
        }
      };
      visit(body, { $ref: MESSAGE_SCHEMA_FILE[kind] }, [], false);
      return out;
    }

    /** A valid message of any kind with one mutation applied at a random applicable site. */
    function mutated(mutation: Mutation) {
      return fc
        .constantFrom(...MESSAGE_KINDS)
        .chain((kind) => messageBodyArbs[kind].map((body) => ({ kind, body: wire(body) })))
        .chain(({ kind, body }) => {
          const candidates = sitesOf(kind, body).filter(mutation.applies);
          if (candidates.length === 0) return fc.constant(undefined);
          return fc.constantFrom(...candidates).chain((site) =>
            mutation.replace(site).map(({ value, reportedAt }) => ({
              kind,
              body: setAt(body, site.path, value),
              reportedAt: reportedAt ?? site.path,
            })),
          );
        });
    }

    /** Our parser must reject every mutated message; the JSON Schema must answer `schemaAccepts`. */
    function checkMutation(mutation: Mutation, schemaAccepts: boolean): void {
      fc.assert(
        fc.property(mutated(mutation), (sample) => {
          fc.pre(sample !== undefined);
          const ours = parseMessage(sample.kind, sample.body);
          expect(ours.ok).toBe(false);
          if (!ours.ok)
            expect(ours.message).toContain(`${formatPath(sample.reportedAt)}: ${mutation.problem}`);
          expect(validators[sample.kind](sample.body)).toBe(schemaAccepts);
        }),
        RUNS,
      );
    }

    describe('the schema files', () => {
      it('are all modelled, except body-based pagination', () => {
        expect([...files.keys()].sort()).toEqual(
          [
            ...Object.keys(OBJECT_SCHEMA_FILE),
            ...Object.keys(ENUM_SCHEMA_FILE),
            ...NOT_MODELLED,
          ].sort(),
        );
      });

      it('list the same enum values as ours, in the same order', () => {
        for (const [file, values] of Object.entries(ENUM_SCHEMA_FILE)) {
          expect(files.get(file)?.enum, file).toEqual([...values]);
        }
      });

      it('declare the same properties as our objects, and we require at least theirs', () => {
        for (const [file, ours] of Object.entries(OBJECT_SCHEMA_FILE)) {
          const theirs = files.get(file);
          expect(Object.keys(ours.shape).sort(), file).toEqual(
            Object.keys(theirs?.properties ?? {}).sort(),
          );
          const ourRequired = Object.entries(ours.shape)
            .filter(([, field]) => !field.safeParse(undefined).success)
            .map(([key]) => key);
          expect(ourRequired.sort(), file).toEqual(
            [...(theirs?.required ?? []), ...(OUR_EXTRA_REQUIRED[file] ?? [])].sort(),
          );
        }
      });
    });

    describe('(a) the example files', () => {
      it('are all known', () => {
        expect(readdirSync(examplesDir).sort()).toEqual(Object.keys(EXAMPLE_KIND).sort());
      });

      it.each(Object.entries(EXAMPLE_KIND))('%s passes zod and JSON Schema as %s', (file, kind) => {
        const body: Json = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8'));
        expect(parseMessage(kind, body)).toEqual({ ok: true, value: body });
        expect(validators[kind](body), JSON.stringify(validators[kind].errors)).toBe(true);
      });
    });

    describe('(b) generated valid messages pass both', () => {
      it.each(MESSAGE_KINDS)('%s', (kind) => {
        fc.assert(
          fc.property(messageBodyArbs[kind], (generated) => {
            const body = wire(generated);
            expect(parseMessage(kind, body)).toEqual({ ok: true, value: body });
            expect(validators[kind](body), JSON.stringify(validators[kind].errors)).toBe(true);
            // ajv ignores unknown properties, so also check we only generate declared ones.
            for (const site of sitesOf(kind, body)) {
              if (isRecord(site.value) && site.schema.type === 'object') {
                for (const key of Object.keys(site.value)) {
                  expect(site.schema.properties, formatPath([...site.path, key])).toHaveProperty(
                    key,
                  );
                }
              }
            }
          }),
          RUNS,
        );
      });
    });

    describe('(c) generated invalid messages fail both', () => {
      const bothReject: Mutation[] = [
        {
          name: 'a required property is missing',
          applies: (site) => site.required,
          replace: () => fc.constant({ value: DELETE }),
          problem: 'is required',
        },
        {
          name: 'an enum value is unknown (or in the wrong case)',
          applies: (site) => site.schema.enum !== undefined,
          replace: (site) =>
            fc
              .oneof(
                fc.constant(String(site.value).toLowerCase()),
                fc.constant('NOT_AN_OSCP_VALUE'),
                fc.string(),
              )
              .filter((v) => !site.schema.enum?.includes(v))
              .map((value) => ({ value })),
          problem: 'must be one of',
        },
        {
          name: 'a capacity is negative',
          applies: (site) => site.schema.minimum === 0,
          replace: () =>
            fc
              .oneof(
                fc.integer({ min: -1_000_000, max: -1 }),
                fc.double({ min: -1e9, max: -Number.MIN_VALUE, noNaN: true }),
              )
              .map((value) => ({ value })),
          problem: 'must be >= 0',
        },
        {
          name: 'a timestamp has no offset',
          applies: (site) => site.schema.format === 'date-time',
          replace: (site) =>
            fc.constant({ value: String(site.value).replace(/(Z|[+-]\d\d:\d\d)$/, '') }),
          problem: 'must be an RFC 3339 date-time',
        },
        {
          name: 'an array that needs items is empty',
          applies: (site) => site.schema.type === 'array' && (site.schema.minItems ?? 0) >= 1,
          replace: () => fc.constant({ value: [] }),
          problem: 'must contain at least 1 item',
        },
        {
          name: 'a set-like array repeats an item',
          applies: (site) =>
            site.schema.uniqueItems === true && Array.isArray(site.value) && site.value.length > 0,
          replace: (site) => {
            const list = site.value as Json[];
            return fc.constant({ value: [...list, list[0]] });
          },
          problem: 'must not contain duplicates',
        },
        {
          name: 'a property has the wrong JSON type',
          applies: (site) => site.path.length > 0 && site.schema.type !== undefined,
          replace: (site) => {
            const wrong: Record<string, Json> = { string: 42, number: '42', object: [], array: {} };
            return fc.constant({
              value: site.schema.type ? (wrong[site.schema.type] ?? null) : null,
            });
          },
          problem: 'must be ',
        },
      ];

      it.each(bothReject.map((m) => [m.name, m] as const))('%s', (_name, mutation) => {
        checkMutation(mutation, false);
      });
    });

    describe('(c) known differences: we reject, the transcribed schema accepts', () => {
      const laxTimestamps: Record<string, (s: string) => string> = {
        'lower-case t and z': (s) => s.toLowerCase(),
        'a space instead of T': (s) => s.replace('T', ' '),
        'an offset without a colon': (s) =>
          s.replace(/(Z|[+-]\d\d:\d\d)$/, (o) => (o === 'Z' ? '+0000' : o.replace(':', ''))),
        'an hour-only offset': (s) => s.replace(/(Z|[+-]\d\d:\d\d)$/, '+01'),
        'a leap second': (s) => s.replace(/T.*$/, 'T23:59:60Z'),
      };

      const weReject: Mutation[] = [
        {
          // The schemas never set additionalProperties: false.
          name: 'an object has an unknown property',
          applies: (site) => isRecord(site.value) && site.schema.type === 'object',
          replace: (site) =>
            fc
              .tuple(fc.constantFrom('extra', 'colour', 'groupId', 'x_vendor'), fc.jsonValue())
              .map(([key, extra]) => ({
                value: { ...(site.value as object), [key]: extra },
                reportedAt: [...site.path, key],
              })),
          problem: 'unknown property',
        },
        {
          name: 'a Handshake has no required_behaviour',
          applies: (site) =>
            site.kind === 'Handshake' && site.path.join('.') === 'required_behaviour',
          replace: () => fc.constant({ value: DELETE }),
          problem: 'is required',
        },
        {
          name: 'heartbeat_interval is below 1',
          applies: (site) => lastSegment(site) === 'required_behaviour',
          replace: (site) =>
            fc
              .oneof(fc.constant(0), fc.double({ min: -1e6, max: 0.999, noNaN: true }))
              .map((interval) => ({
                value: { ...(site.value as object), heartbeat_interval: interval },
                reportedAt: [...site.path, 'heartbeat_interval'],
              })),
          problem: 'must be >= 1',
        },
        ...Object.entries(laxTimestamps).map(([form, rewrite]): Mutation => ({
          name: `a timestamp uses ${form}`,
          applies: (site) => site.schema.format === 'date-time',
          replace: (site) => fc.constant({ value: rewrite(String(site.value)) }),
          problem: 'must be an RFC 3339 date-time',
        })),
        {
          name: 'a forecasted block does not end after it starts',
          applies: (site) => isRecord(site.value) && 'start_time' in site.value,
          replace: (site) => {
            const block = site.value as { start_time: string; end_time: string };
            return fc
              .constantFrom(
                { ...block, end_time: block.start_time },
                { ...block, start_time: block.end_time, end_time: block.start_time },
              )
              .map((value) => ({ value, reportedAt: [...site.path, 'end_time'] }));
          },
          problem: 'must be after start_time',
        },
        {
          name: 'initial_measure_time is after measure_time',
          applies: (site) => isRecord(site.value) && 'direction' in site.value,
          replace: (site) => {
            const reading = site.value as { measure_time: string };
            return fc.integer({ min: 1, max: 86_400 }).map((seconds) => ({
              value: {
                ...reading,
                initial_measure_time: toWireTime(
                  new Date(Date.parse(reading.measure_time) + seconds * 1000),
                ),
              },
              reportedAt: [...site.path, 'initial_measure_time'],
            }));
          },
          problem: 'must not be after measure_time',
        },
        {
          name: 'an asset measurement carries no measurement',
          applies: (site) => isRecord(site.value) && 'asset_id' in site.value,
          replace: (site) => {
            const {
              energy_measurement: _e,
              instantaneous_measurement: _i,
              ...rest
            } = site.value as Record<string, Json>;
            return fc.constant({ value: rest });
          },
          problem: 'must carry energy_measurement, instantaneous_measurement or both',
        },
        {
          name: 'an identifier or token is empty',
          applies: (site) =>
            ['group_id', 'asset_id', 'token', 'version'].includes(String(lastSegment(site))),
          replace: () => fc.constant({ value: '' }),
          problem: 'must not be empty',
        },
        {
          name: 'a base_url is not an absolute http(s) URL',
          applies: (site) => lastSegment(site) === 'base_url',
          replace: () =>
            fc
              .constantFrom('not a url', 'ftp://cp.example/oscp/2.0', '/oscp/2.0')
              .map((value) => ({ value })),
          problem: 'must be an absolute http(s) URL',
        },
      ];

      it.each(weReject.map((m) => [m.name, m] as const))('%s', (_name, mutation) => {
        checkMutation(mutation, true);
      });
    });
  },
);
