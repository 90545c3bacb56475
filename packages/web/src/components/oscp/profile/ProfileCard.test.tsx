// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail } from '../../../api/types';
import { answerWith, renderConsole } from '../../../testing/render';
import { ProfileCard } from './ProfileCard';
import { profileSections } from './profile-rows';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const standard = {
  preset: 'OSCP_STANDARD',
  oscpVersion: '2.0',
  authMode: 'OSCP_TOKEN',
  authReferences: { initialToken: null },
  measurementPublicationMode: 'GROUP',
  reportingAssetId: null,
  measurementConfiguration: 'CONTINUOUS',
  measurementPublicationIntervalSeconds: 900,
  measurementAlignment: 'NONE',
  instantaneousMeasurementUnit: 'KW',
  requestedHeartbeatIntervalSeconds: 60,
  handshakeInitiator: 'CAPACITY_PROVIDER',
  rehandshakeAfterOffline: false,
  gapPolicy: 'SAFE_DEFAULT_CAPACITY',
  safeDefaultCapacity: { value: 0, unit: 'A' },
  interoperability: {
    acceptRelativeBaseUrl: false,
    acknowledgementPath: 'handshake_acknowledge',
    assumeUtcWithoutOffset: false,
    expectPeerHeartbeats: true,
  },
};

const profile = {
  ...standard,
  displayName: 'Grid operator',
  groupId: 'G-1',
  peerBaseUrl: 'https://cp.example/oscp/cp/2.0',
  authReferences: { initialToken: 'cp-initial' },
  measurementPublicationIntervalSeconds: 300,
  safeDefaultCapacity: { value: 40, unit: 'A' },
  interoperability: {
    ...standard.interoperability,
    acknowledgementPath: 'handshake_acknowledgment',
  },
};

describe('the Profile card', () => {
  it('shows every profile field, marking those equal to the preset’s defaults', async () => {
    vi.stubGlobal(
      'fetch',
      answerWith(200, {
        presets: [{ id: 'OSCP_STANDARD', label: 'OSCP 2.0', description: '', defaults: standard }],
      }).fetch,
    );
    renderConsole(
      <ProfileCard c={{ preset: 'OSCP_STANDARD', profile } as unknown as ConnectionDetail} />,
    );
    const field = (name: string) =>
      screen.getAllByTestId('profile-field').find((f) => f.dataset.field === name)!;
    const isDefault = (name: string) =>
      within(field(name)).queryByTestId('profile-default') !== null;

    await vi.waitFor(() => expect(isDefault('measurementConfiguration')).toBe(true));
    expect(within(field('peerBaseUrl')).getByTestId('profile-value').textContent).toBe(
      'https://cp.example/oscp/cp/2.0',
    );
    expect(
      within(field('measurementPublicationIntervalSeconds')).getByTestId('profile-value')
        .textContent,
    ).toBe('300 s');
    expect(isDefault('measurementPublicationIntervalSeconds')).toBe(false);
    expect(within(field('safeDefaultCapacity')).getByTestId('profile-value').textContent).toBe(
      '40 A per phase',
    );
    expect(isDefault('safeDefaultCapacity')).toBe(false);
    expect(isDefault('gapPolicy')).toBe(true);
    expect(isDefault('interoperability.acceptRelativeBaseUrl')).toBe(true);
    expect(isDefault('interoperability.acknowledgementPath')).toBe(false);
    expect(field('interoperability.assumeUtcWithoutOffset').textContent).toContain(
      'Read the peer’s date-times without an offset as UTC',
    );
    // Peer-specific values have no default to equal.
    expect(isDefault('peerBaseUrl')).toBe(false);
    expect(isDefault('preset')).toBe(false);
  });

  it('lists every field of the profile, in sections, and marks nothing until the presets are known', () => {
    const sections = profileSections(profile, undefined);
    expect(sections.map((s) => s.title)).toEqual([
      'Peer and protocol',
      'Measurements',
      'Handshake and heartbeats',
      'Gap policy',
      'Interoperability',
    ]);
    const fields = sections.flatMap((s) => s.rows.map((r) => r.field.split('.')[0]));
    for (const key of Object.keys(standard)) expect(fields).toContain(key);
    expect(sections.flatMap((s) => s.rows).every((r) => r.isDefault === null)).toBe(true);
  });
});
