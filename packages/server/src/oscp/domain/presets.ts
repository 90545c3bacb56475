import { PRESET_DEFAULTS, type Preset } from './connection-profile';

/** What the console shows when an engineer picks a preset. */
export const PRESET_CATALOGUE: {
  id: Preset;
  label: string;
  description: string;
  defaults: object;
}[] = [
  {
    id: 'VECTOR_DERMS',
    label: 'Vector DERMS',
    description:
      'OAuth2 client credentials with static headers (no Register), asset measurements aggregated into one asset, INTERMITTENT every 15 minutes aligned to the clock hour; the Flexibility Provider may start the handshake.',
    defaults: PRESET_DEFAULTS.VECTOR_DERMS,
  },
  {
    id: 'OSCP_STANDARD',
    label: 'OSCP 2.0 standard',
    description:
      'Register token exchange, group measurements; the Capacity Provider starts the handshake.',
    defaults: PRESET_DEFAULTS.OSCP_STANDARD,
  },
  {
    id: 'CUSTOM',
    label: 'Custom',
    description: 'Start from the OSCP 2.0 standard defaults and set every field yourself.',
    defaults: PRESET_DEFAULTS.OSCP_STANDARD,
  },
];
