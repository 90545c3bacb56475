import { INTEROPERABILITY_EXPLAINED } from '../../connection-form/interoperability-wording';

/** One line of the Profile card. */
export interface ProfileRow {
  /** The profile field's path, e.g. `interoperability.acknowledgementPath`. */
  field: string;
  label: string;
  value: string;
  /** Equal to the preset's default (null: the preset has none, the value is this peer's own). */
  isDefault: boolean | null;
  explanation?: string;
}

export interface ProfileSection {
  title: string;
  rows: ProfileRow[];
}

type Format = (value: unknown) => string;

const plain: Format = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));
const yesNo: Format = (v) => (v ? 'yes' : 'no');
const seconds: Format = (v) => (typeof v === 'number' ? `${v} s` : 'none asked for');
const limit: Format = (v) => {
  const l = v as { value?: number; unit?: string } | null;
  return l && typeof l.value === 'number'
    ? `${l.value} ${l.unit === 'KW' ? 'kW' : 'A per phase'}`
    : '—';
};
const references: Format = (v) => {
  const named = Object.entries((v ?? {}) as Record<string, string | null>).filter(([, n]) => n);
  return named.length === 0 ? 'no secrets named' : named.map(([k, n]) => `${k}: ${n}`).join(', ');
};

/** [field, label, format, explanation?] per section, in the order an operator reads them. */
const LAYOUT: { title: string; fields: [string, string, Format, string?][] }[] = [
  {
    title: 'Peer and protocol',
    fields: [
      ['preset', 'Preset', plain],
      ['groupId', 'Group id', plain],
      ['peerBaseUrl', 'Endpoint (peer base URL)', plain],
      ['oscpVersion', 'OSCP version', plain],
      ['authMode', 'Authentication', plain],
      ['authReferences', 'Secrets used', references],
    ],
  },
  {
    title: 'Measurements',
    fields: [
      ['measurementPublicationMode', 'Mode', plain],
      ['measurementConfiguration', 'Configuration', plain],
      ['measurementPublicationIntervalSeconds', 'Cadence', seconds],
      ['measurementAlignment', 'Alignment', plain],
      ['instantaneousMeasurementUnit', 'Peak load unit', plain],
      ['reportingAssetId', 'Reporting asset', plain],
    ],
  },
  {
    title: 'Handshake and heartbeats',
    fields: [
      ['handshakeInitiator', 'Handshake started by', plain],
      ['requestedHeartbeatIntervalSeconds', 'Heartbeat interval asked of the peer', seconds],
      ['rehandshakeAfterOffline', 'New handshake after offline', yesNo],
    ],
  },
  {
    title: 'Gap policy',
    fields: [
      ['gapPolicy', 'Gap policy', plain],
      ['safeDefaultCapacity', 'Safe default', limit],
    ],
  },
  {
    title: 'Interoperability',
    fields: [
      [
        'interoperability.acceptRelativeBaseUrl',
        'Accept a relative base URL',
        yesNo,
        INTEROPERABILITY_EXPLAINED.acceptRelativeBaseUrl,
      ],
      [
        'interoperability.acknowledgementPath',
        'Handshake acknowledgement path',
        plain,
        INTEROPERABILITY_EXPLAINED.acknowledgementPath,
      ],
      [
        'interoperability.assumeUtcWithoutOffset',
        'Assume UTC without an offset',
        yesNo,
        INTEROPERABILITY_EXPLAINED.assumeUtcWithoutOffset,
      ],
      [
        'interoperability.expectPeerHeartbeats',
        'Expect heartbeats from the peer',
        yesNo,
        INTEROPERABILITY_EXPLAINED.noPeerHeartbeats,
      ],
    ],
  },
];

const at = (record: Record<string, unknown>, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, key) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined,
      record,
    );

/** Order-insensitive equality of JSON values (profiles are plain data). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) =>
    same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * Every profile field as the Profile card shows it, each marked as its preset's default or not.
 * `defaults` is undefined while the presets load: nothing is marked then.
 */
export function profileSections(
  profile: Record<string, unknown>,
  defaults: Record<string, unknown> | undefined,
): ProfileSection[] {
  return LAYOUT.map(({ title, fields }) => ({
    title,
    rows: fields.map(([field, label, format, explanation]) => {
      // The preset is what the defaults come from: comparing it with itself says nothing.
      const preset = defaults && field !== 'preset' ? at(defaults, field) : undefined;
      return {
        field,
        label,
        value: format(at(profile, field)),
        isDefault: preset === undefined ? null : same(at(profile, field), preset),
        ...(explanation ? { explanation } : {}),
      };
    }),
  }));
}
