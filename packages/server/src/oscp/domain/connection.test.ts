import { describe, expect, it } from 'vitest';
import { profileFromCreate } from '../app/connections';
import type { CreateConnectionBody } from '../contract';
import {
  decide,
  evolve,
  initialConnection,
  fold,
  type Connection,
  type ConnectionCommand,
  type ConnectionEvent,
  type Rejection,
} from './connection';
import {
  applyPatch,
  PRESET_DEFAULTS,
  profileChanges,
  type ConnectionProfile,
  type FieldProblem,
} from './connection-profile';

/*
 * The OscpConnection decider, in the style "given these events, when this command, then these
 * events (or this rejection)". No database, no clock: `now` is a parameter.
 */

const ID = '6f1f4c1e-2d7e-4c55-9a38-0c1d8e0b7a11';
const NOW = new Date('2026-03-02T09:00:00Z');
const AT = NOW.toISOString();
const EARLIER = '2026-03-01T08:00:00.000Z';
const MICROGRID = '0b8a2f55-8d9f-4a4b-9d2e-3c4f5a6b7c8d';
const SCOPE = '1c9b3f66-9e0a-4b5c-8e3f-4d5e6f7a8b9c';

/** A Vector DERMS profile that can be enabled: ASSET mode with its asset, OAuth2 with all three names. */
function vectorProfile(overrides: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    ...PRESET_DEFAULTS.VECTOR_DERMS,
    displayName: 'Vector North',
    groupId: 'VECGRP01',
    microgridId: MICROGRID,
    scopeId: SCOPE,
    peerBaseUrl: 'https://derms.example.com/oscp/cp/2.0',
    reportingAssetId: 'DEPOT-METER-1',
    authReferences: {
      ...PRESET_DEFAULTS.VECTOR_DERMS.authReferences,
      tokenUrl: 'vector-token-url',
      clientId: 'vector-client-id',
      clientSecret: 'vector-client-secret',
      staticHeaders: 'vector-headers',
    },
    ...overrides,
  };
}

/** An OSCP 2.0 standard profile that can be enabled: GROUP mode, token exchange with its initial token. */
function standardProfile(overrides: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    ...PRESET_DEFAULTS.OSCP_STANDARD,
    displayName: 'Standard CP',
    groupId: 'GRP42',
    microgridId: MICROGRID,
    scopeId: SCOPE,
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    authReferences: {
      ...PRESET_DEFAULTS.OSCP_STANDARD.authReferences,
      initialToken: 'cp-initial-token',
    },
    ...overrides,
  };
}

// Event builders, as they would come back from the stream.
const configured = (profile: ConnectionProfile, by = 'alice', at = EARLIER): ConnectionEvent => ({
  type: 'OscpConnectionConfigured',
  data: { connectionId: ID, profile, by, at },
});
const enabled = (by = 'alice', at = EARLIER): ConnectionEvent => ({
  type: 'OscpConnectionEnabled',
  data: { connectionId: ID, by, at },
});
const disabled = (by = 'alice', at = EARLIER): ConnectionEvent => ({
  type: 'OscpConnectionDisabled',
  data: { connectionId: ID, by, at },
});

function given(...history: ConnectionEvent[]) {
  const state: Connection = fold(ID, history);
  return {
    state,
    when(command: ConnectionCommand) {
      const decision = decide(command, state, NOW);
      return {
        decision,
        then(...expected: ConnectionEvent[]) {
          expect(decision).toEqual({ ok: true, events: expected });
        },
        thenNothing() {
          expect(decision).toEqual({ ok: true, events: [] });
        },
        thenRejected(expected: Rejection['kind']): Rejection {
          if (decision.ok)
            throw new Error(
              `expected a ${expected} rejection, got events ${JSON.stringify(decision.events)}`,
            );
          expect(decision.rejection.kind).toBe(expected);
          return decision.rejection;
        },
        /** Rejected as invalid, naming exactly these fields (in any order); returns the problems. */
        thenInvalid(...fields: string[]): FieldProblem[] {
          if (decision.ok)
            throw new Error(
              `expected invalid ${fields.join(', ')}, got events ${JSON.stringify(decision.events)}`,
            );
          const rejection = decision.rejection;
          if (rejection.kind !== 'invalid')
            throw new Error(`expected invalid, got ${rejection.kind}`);
          expect(rejection.problems.map((p) => p.field).sort()).toEqual([...fields].sort());
          for (const problem of rejection.problems)
            expect(problem.message.length).toBeGreaterThan(0);
          return rejection.problems;
        },
      };
    },
  };
}

const configure = (profile: ConnectionProfile, enable = false, by = 'bob'): ConnectionCommand => ({
  type: 'Configure',
  profile,
  enable,
  by,
});

describe('Configure', () => {
  it('records a valid profile as Configured, and nothing else', () => {
    const profile = vectorProfile();
    given()
      .when(configure(profile))
      .then({
        type: 'OscpConnectionConfigured',
        data: { connectionId: ID, profile, by: 'bob', at: AT },
      });
  });

  it('adds Enabled when asked to enable in the same step', () => {
    const profile = standardProfile();
    given()
      .when(configure(profile, true))
      .then(
        {
          type: 'OscpConnectionConfigured',
          data: { connectionId: ID, profile, by: 'bob', at: AT },
        },
        { type: 'OscpConnectionEnabled', data: { connectionId: ID, by: 'bob', at: AT } },
      );
  });

  it('folds to a CONFIGURED connection at version 1, then ENABLED at version 2', () => {
    const profile = vectorProfile();
    expect(given(configured(profile)).state).toEqual({
      exists: true,
      id: ID,
      profile,
      enabled: false,
      state: 'CONFIGURED',
      version: 1,
      configurationVersion: 1,
      deletedAt: null,
    });
    const after = given(configured(profile), enabled()).state;
    expect(after).toMatchObject({ enabled: true, state: 'ENABLED', version: 2 });
    expect(given(configured(profile), enabled(), disabled()).state).toMatchObject({
      enabled: false,
      state: 'CONFIGURED',
      version: 3,
    });
  });

  it('accepts no requested heartbeat (null)', () => {
    expect(
      given().when(configure(standardProfile({ requestedHeartbeatIntervalSeconds: null }))).decision
        .ok,
    ).toBe(true);
  });

  it('refuses to configure a connection that already exists', () => {
    given(configured(vectorProfile()))
      .when(configure(vectorProfile()))
      .thenRejected('already-exists');
  });

  const invalid: [string, Partial<ConnectionProfile>, string[], RegExp][] = [
    ['a group id with a control character', { groupId: 'Depot\t7' }, ['groupId'], /printable/],
    ['a group id of 256 characters', { groupId: 'G'.repeat(256) }, ['groupId'], /at most 255/],
    ['an empty group id', { groupId: '' }, ['groupId'], /is required/],
    ['a group id with a leading space', { groupId: ' G7' }, ['groupId'], /start or end/],
    ['a relative peer URL', { peerBaseUrl: '/oscp/cp/2.0' }, ['peerBaseUrl'], /absolute URL/],
    [
      'a peer URL with a trailing slash',
      { peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0/' },
      ['peerBaseUrl'],
      /slash/,
    ],
    [
      'a peer URL with a query',
      { peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0?tenant=1' },
      ['peerBaseUrl'],
      /query/,
    ],
    [
      'a peer URL with a fragment',
      { peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0#x' },
      ['peerBaseUrl'],
      /fragment/,
    ],
    [
      'a peer URL that is not http(s)',
      { peerBaseUrl: 'ftp://cp.example.com/oscp' },
      ['peerBaseUrl'],
      /http/,
    ],
    [
      'an interval that does not divide an hour',
      { measurementAlignment: 'NONE', measurementPublicationIntervalSeconds: 420 },
      ['measurementPublicationIntervalSeconds'],
      /from 60 to 3600 that divides an hour/,
    ],
    [
      'an interval under a minute',
      { measurementAlignment: 'NONE', measurementPublicationIntervalSeconds: 30 },
      ['measurementPublicationIntervalSeconds'],
      /from 60 to 3600/,
    ],
    [
      'CLOCK_HOUR alignment with an interval that does not divide an hour',
      { measurementAlignment: 'CLOCK_HOUR', measurementPublicationIntervalSeconds: 420 },
      ['measurementPublicationIntervalSeconds', 'measurementAlignment'],
      /divides an hour/,
    ],
    [
      'an instantaneous unit Vector does not accept',
      { instantaneousMeasurementUnit: 'A' as 'W' },
      ['instantaneousMeasurementUnit'],
      /W or KW/,
    ],
    [
      'a heartbeat of 0',
      { requestedHeartbeatIntervalSeconds: 0 },
      ['requestedHeartbeatIntervalSeconds'],
      /1 to 86400/,
    ],
    [
      'a fractional heartbeat',
      { requestedHeartbeatIntervalSeconds: 1.5 },
      ['requestedHeartbeatIntervalSeconds'],
      /whole number/,
    ],
    [
      'a heartbeat over a day',
      { requestedHeartbeatIntervalSeconds: 86_401 },
      ['requestedHeartbeatIntervalSeconds'],
      /1 to 86400/,
    ],
    [
      'the DEAD_RECKONING gap policy (planned)',
      { gapPolicy: 'DEAD_RECKONING' },
      ['gapPolicy'],
      /DEAD_RECKONING is planned/,
    ],
    ['a blank display name', { displayName: '   ' }, ['displayName'], /required/],
    ['another OSCP version', { oscpVersion: '2.1' as '2.0' }, ['oscpVersion'], /2\.0/],
    [
      'a negative safe default capacity',
      { safeDefaultCapacity: { value: -1, unit: 'A' } },
      ['safeDefaultCapacity.value'],
      /zero or more/,
    ],
    [
      'a reporting asset id with a space',
      { reportingAssetId: 'meter 1' },
      ['reportingAssetId'],
      /letters, digits/,
    ],
  ];

  it.each(invalid)('rejects %s, naming the field', (_what, overrides, fields, message) => {
    const problems = given()
      .when(configure(vectorProfile(overrides)))
      .thenInvalid(...fields);
    expect(problems.map((p) => p.message).join(' | ')).toMatch(message);
  });

  it.each(['B6734_AE0100_00848825118', 'Depot 7', 'depot-7', 'Zürich/Nord 2', 'G'.repeat(255)])(
    'accepts the group id %s, as real Capacity Providers spell them',
    (groupId) => {
      const decision = decide(configure(vectorProfile({ groupId })), initialConnection(ID), NOW);
      expect(decision.ok).toBe(true);
    },
  );

  it('rejects a secret name that is not a plain name, naming the reference', () => {
    const profile = vectorProfile({
      authReferences: { ...vectorProfile().authReferences, clientSecret: 'not a name!' },
    });
    given().when(configure(profile)).thenInvalid('authReferences.clientSecret');
  });

  it('names every invalid field at once', () => {
    given()
      .when(
        configure(
          vectorProfile({
            groupId: 'has\nnewline',
            peerBaseUrl: 'cp.example.com',
            requestedHeartbeatIntervalSeconds: 0,
            gapPolicy: 'DEAD_RECKONING',
          }),
        ),
      )
      .thenInvalid('groupId', 'peerBaseUrl', 'requestedHeartbeatIntervalSeconds', 'gapPolicy');
  });

  it('applies the enablement rules when enabling in the same step', () => {
    const problems = given()
      .when(
        configure(
          vectorProfile({ authReferences: { ...vectorProfile().authReferences, clientId: null } }),
          true,
        ),
      )
      .thenInvalid('authReferences.clientId');
    expect(problems[0]!.message).toMatch(/OAuth2 client credentials/);
  });
});

describe('Edit', () => {
  const edit = (patch: Parameters<typeof applyPatch>[1], by = 'carol'): ConnectionCommand => ({
    type: 'Edit',
    patch,
    by,
  });

  it('records the new profile and the changed fields, nested ones flattened', () => {
    const before = vectorProfile();
    const after = {
      ...before,
      measurementPublicationIntervalSeconds: 300,
      authReferences: { ...before.authReferences, clientId: 'vector-client-id-2' },
    };
    given(configured(before))
      .when(
        edit({
          measurementPublicationIntervalSeconds: 300,
          authReferences: { clientId: 'vector-client-id-2' },
        }),
      )
      .then({
        type: 'OscpConnectionEdited',
        data: {
          connectionId: ID,
          profile: after,
          changes: [
            {
              field: 'authReferences.clientId',
              from: 'vector-client-id',
              to: 'vector-client-id-2',
            },
            { field: 'measurementPublicationIntervalSeconds', from: 900, to: 300 },
          ],
          by: 'carol',
          at: AT,
        },
      });
  });

  it('records nothing for an edit that changes nothing', () => {
    const profile = vectorProfile();
    given(configured(profile))
      .when(
        edit({
          displayName: profile.displayName,
          measurementPublicationIntervalSeconds: 900,
          authReferences: { clientId: 'vector-client-id' },
        }),
      )
      .thenNothing();
    given(configured(profile)).when(edit({})).thenNothing();
  });

  it('validates the edited profile, naming the field', () => {
    given(configured(vectorProfile()))
      .when(edit({ groupId: 'VEC\u000701' }))
      .thenInvalid('groupId');
    // 45 s divides an hour, so only the interval itself is wrong.
    given(configured(vectorProfile()))
      .when(edit({ measurementPublicationIntervalSeconds: 45 }))
      .thenInvalid('measurementPublicationIntervalSeconds');
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
  ])(
    'refuses to remove the reporting asset (as %s) of an enabled ASSET connection',
    (_what, value) => {
      const problems = given(configured(vectorProfile()), enabled())
        .when(edit({ reportingAssetId: value }))
        .thenInvalid('reportingAssetId');
      expect(problems[0]!.message).toMatch(/reporting asset id/);
    },
  );

  it.each([
    ['null', null],
    ['an empty string', ''],
  ])(
    'refuses to remove the reporting asset (as %s) of a disabled ASSET connection too',
    (_what, value) => {
      given(configured(vectorProfile()), enabled(), disabled())
        .when(edit({ reportingAssetId: value }))
        .thenInvalid('reportingAssetId');
    },
  );

  it('refuses to remove a needed secret name from an enabled OAuth2 connection', () => {
    given(configured(vectorProfile()), enabled())
      .when(edit({ authReferences: { clientSecret: null } }))
      .thenInvalid('authReferences.clientSecret');
  });

  it('is not found before the connection exists', () => {
    given()
      .when(edit({ displayName: 'x' }))
      .thenRejected('not-found');
  });
});

describe('Vector’s asset profile on every path (ADR 0040)', () => {
  const enable: ConnectionCommand = { type: 'Enable', by: 'erin' };
  const edit = (patch: Parameters<typeof applyPatch>[1]): ConnectionCommand => ({
    type: 'Edit',
    patch,
    by: 'erin',
  });

  it('refuses to create ASSET with CONTINUOUS, or without its asset, enabled or not', () => {
    for (const enableNow of [false, true]) {
      given()
        .when(configure(vectorProfile({ measurementConfiguration: 'CONTINUOUS' }), enableNow))
        .thenInvalid('measurementConfiguration');
      given()
        .when(configure(vectorProfile({ reportingAssetId: null }), enableNow))
        .thenInvalid('reportingAssetId');
    }
    expect(given().when(configure(vectorProfile())).decision.ok).toBe(true);
  });

  it('refuses an edit to CONTINUOUS in ASSET mode, and to ASSET mode while CONTINUOUS', () => {
    given(configured(vectorProfile()))
      .when(edit({ measurementConfiguration: 'CONTINUOUS' }))
      .thenInvalid('measurementConfiguration');
    given(configured(standardProfile()))
      .when(edit({ measurementPublicationMode: 'ASSET', reportingAssetId: 'M1' }))
      .thenInvalid('measurementConfiguration');
  });

  it('refuses a switch to the Vector preset that keeps group measurements or lacks the asset', () => {
    given(configured(standardProfile()))
      .when(edit({ preset: 'VECTOR_DERMS' }))
      .thenInvalid('measurementPublicationMode');
    const problems = given(configured(standardProfile()))
      .when(edit({ preset: 'VECTOR_DERMS', measurementPublicationMode: 'ASSET' }))
      .thenInvalid('reportingAssetId', 'measurementConfiguration');
    expect(problems.map((p) => p.message).join(' | ')).toMatch(/INTERMITTENT/);
    expect(
      given(configured(standardProfile())).when(
        edit({
          preset: 'VECTOR_DERMS',
          measurementPublicationMode: 'ASSET',
          measurementConfiguration: 'INTERMITTENT',
          reportingAssetId: 'M1',
        }),
      ).decision.ok,
    ).toBe(true);
  });

  it('refuses to enable an ASSET profile saved as CONTINUOUS under older rules', () => {
    given(configured(vectorProfile({ measurementConfiguration: 'CONTINUOUS' })))
      .when(enable)
      .thenInvalid('measurementConfiguration');
  });

  it('reads a profile saved before the instantaneous unit existed as kW', () => {
    const { instantaneousMeasurementUnit: _unit, ...older } = vectorProfile();
    const state = given(configured(older as ConnectionProfile)).state;
    expect(state.profile?.instantaneousMeasurementUnit).toBe('KW');
  });
});

describe('Enable and Disable', () => {
  const enable: ConnectionCommand = { type: 'Enable', by: 'dave' };
  const disable: ConnectionCommand = { type: 'Disable', by: 'dave' };

  it('enables a complete profile', () => {
    given(configured(vectorProfile()))
      .when(enable)
      .then({ type: 'OscpConnectionEnabled', data: { connectionId: ID, by: 'dave', at: AT } });
  });

  it('refuses to enable ASSET mode without a reporting asset id (a profile saved under older rules), saying so', () => {
    const problems = given(configured(vectorProfile({ reportingAssetId: null })))
      .when(enable)
      .thenInvalid('reportingAssetId');
    expect(problems[0]!.message).toBe(
      'ASSET measurement mode needs the reporting asset id (the one asset the site reports as)',
    );
  });

  it('enables GROUP mode without a reporting asset id', () => {
    expect(
      given(configured(standardProfile({ reportingAssetId: null }))).when(enable).decision.ok,
    ).toBe(true);
  });

  it('refuses to enable token exchange without the initial token’s secret name', () => {
    const profile = standardProfile({
      authReferences: { ...PRESET_DEFAULTS.OSCP_STANDARD.authReferences },
    });
    const problems = given(configured(profile))
      .when(enable)
      .thenInvalid('authReferences.initialToken');
    expect(problems[0]!.message).toMatch(/initial token/);
  });

  it('refuses to enable OAuth2 without token URL, client id and client secret, naming each', () => {
    const profile = vectorProfile({
      authReferences: { ...PRESET_DEFAULTS.VECTOR_DERMS.authReferences },
    });
    given(configured(profile))
      .when(enable)
      .thenInvalid(
        'authReferences.tokenUrl',
        'authReferences.clientId',
        'authReferences.clientSecret',
      );
    given(
      configured(
        vectorProfile({ authReferences: { ...vectorProfile().authReferences, tokenUrl: null } }),
      ),
    )
      .when(enable)
      .thenInvalid('authReferences.tokenUrl');
  });

  it('names every missing piece at once', () => {
    const profile = vectorProfile({
      reportingAssetId: null,
      authReferences: {
        ...PRESET_DEFAULTS.VECTOR_DERMS.authReferences,
        tokenUrl: 'u',
        clientSecret: 's',
      },
    });
    given(configured(profile))
      .when(enable)
      .thenInvalid('reportingAssetId', 'authReferences.clientId');
  });

  it('refuses to enable twice', () => {
    const rejection = given(configured(vectorProfile()), enabled())
      .when(enable)
      .thenRejected('conflict');
    expect(rejection).toEqual({ kind: 'conflict', message: 'The connection is already enabled.' });
  });

  it('disables an enabled connection, and enables it again', () => {
    given(configured(vectorProfile()), enabled())
      .when(disable)
      .then({ type: 'OscpConnectionDisabled', data: { connectionId: ID, by: 'dave', at: AT } });
    given(configured(vectorProfile()), enabled(), disabled())
      .when(enable)
      .then({ type: 'OscpConnectionEnabled', data: { connectionId: ID, by: 'dave', at: AT } });
  });

  it('refuses to disable a connection that is not enabled', () => {
    const never = given(configured(vectorProfile())).when(disable).thenRejected('conflict');
    expect(never).toEqual({ kind: 'conflict', message: 'The connection is already disabled.' });
    given(configured(vectorProfile()), enabled(), disabled())
      .when(disable)
      .thenRejected('conflict');
  });

  it('is not found before the connection exists', () => {
    given().when(enable).thenRejected('not-found');
    given().when(disable).thenRejected('not-found');
  });
});

describe('applyPatch', () => {
  it('changes only the given fields and does not touch the original', () => {
    const before = vectorProfile();
    const copy = structuredClone(before);
    const after = applyPatch(before, {
      displayName: 'Renamed',
      measurementPublicationIntervalSeconds: undefined,
    });
    expect(after).toEqual({ ...before, displayName: 'Renamed' });
    expect(before).toEqual(copy);
  });

  it('merges secret references key by key; null clears one', () => {
    const after = applyPatch(vectorProfile(), {
      authReferences: { clientId: 'other-id', staticHeaders: null },
    });
    expect(after.authReferences).toEqual({
      ...vectorProfile().authReferences,
      clientId: 'other-id',
      staticHeaders: null,
    });
    expect(after.authReferences).toMatchObject({
      tokenUrl: 'vector-token-url',
      clientSecret: 'vector-client-secret',
    });
  });

  it('treats an empty or null reporting asset id as none, and an absent one as unchanged', () => {
    expect(applyPatch(vectorProfile(), { reportingAssetId: '' }).reportingAssetId).toBeNull();
    expect(applyPatch(vectorProfile(), { reportingAssetId: null }).reportingAssetId).toBeNull();
    expect(applyPatch(vectorProfile(), {}).reportingAssetId).toBe('DEPOT-METER-1');
    expect(
      applyPatch(vectorProfile({ reportingAssetId: null }), { reportingAssetId: 'M2' })
        .reportingAssetId,
    ).toBe('M2');
  });

  it('sets a null heartbeat (none) when asked', () => {
    expect(
      applyPatch(vectorProfile(), { requestedHeartbeatIntervalSeconds: null })
        .requestedHeartbeatIntervalSeconds,
    ).toBeNull();
  });
});

describe('profileChanges', () => {
  it('lists each changed field with from and to, flattening nested objects', () => {
    const before = vectorProfile();
    const after: ConnectionProfile = {
      ...before,
      displayName: 'Vector South',
      authReferences: { ...before.authReferences, clientId: 'id-2', staticHeaders: null },
      safeDefaultCapacity: { value: 16, unit: 'A' },
    };
    expect(profileChanges(before, after)).toEqual([
      { field: 'displayName', from: 'Vector North', to: 'Vector South' },
      { field: 'authReferences.clientId', from: 'vector-client-id', to: 'id-2' },
      { field: 'authReferences.staticHeaders', from: 'vector-headers', to: null },
      { field: 'safeDefaultCapacity.value', from: 0, to: 16 },
    ]);
  });

  it('finds no change between equal profiles that are different objects (e.g. one read back from JSON)', () => {
    const profile = vectorProfile();
    expect(
      profileChanges(profile, JSON.parse(JSON.stringify(profile)) as ConnectionProfile),
    ).toEqual([]);
  });
});

describe('profileFromCreate', () => {
  const body = (extra: Partial<CreateConnectionBody>): CreateConnectionBody => ({
    preset: 'VECTOR_DERMS',
    displayName: 'New',
    groupId: 'G1',
    microgridId: MICROGRID,
    scopeId: SCOPE,
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    enabled: false,
    ...extra,
  });

  it('fills the Vector DERMS defaults', () => {
    const profile = profileFromCreate(body({ preset: 'VECTOR_DERMS' }));
    // Exactly the preset's defaults plus what was typed, nothing else…
    expect(profile).toEqual({
      ...PRESET_DEFAULTS.VECTOR_DERMS,
      displayName: 'New',
      groupId: 'G1',
      microgridId: MICROGRID,
      scopeId: SCOPE,
      peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    });
    // …and those defaults are Vector's.
    expect(Object.values(profile.authReferences).every((name) => name === null)).toBe(true);
    expect(profile).toMatchObject({
      preset: 'VECTOR_DERMS',
      oscpVersion: '2.0',
      authMode: 'OAUTH2_CLIENT_CREDENTIALS',
      measurementPublicationMode: 'ASSET',
      reportingAssetId: null,
      measurementConfiguration: 'INTERMITTENT',
      measurementPublicationIntervalSeconds: 900,
      measurementAlignment: 'CLOCK_HOUR',
      requestedHeartbeatIntervalSeconds: 60,
      handshakeInitiator: 'FLEXIBILITY_PROVIDER',
      gapPolicy: 'SAFE_DEFAULT_CAPACITY',
      safeDefaultCapacity: { value: 0, unit: 'A' },
    });
    expect(Object.keys(profile)).not.toContain('enabled');
  });

  it('fills the OSCP 2.0 standard defaults', () => {
    expect(profileFromCreate(body({ preset: 'OSCP_STANDARD' }))).toMatchObject({
      preset: 'OSCP_STANDARD',
      authMode: 'OSCP_TOKEN',
      measurementPublicationMode: 'GROUP',
      measurementConfiguration: 'CONTINUOUS',
      measurementAlignment: 'NONE',
      handshakeInitiator: 'CAPACITY_PROVIDER',
    });
  });

  it('starts CUSTOM from the standard defaults but keeps the CUSTOM label', () => {
    const profile = profileFromCreate(body({ preset: 'CUSTOM' }));
    expect(profile).toMatchObject({
      preset: 'CUSTOM',
      authMode: 'OSCP_TOKEN',
      measurementPublicationMode: 'GROUP',
    });
  });

  it('lets what the user chose win over the preset', () => {
    const profile = profileFromCreate(
      body({
        measurementPublicationIntervalSeconds: 300,
        reportingAssetId: 'M1',
        authReferences: { clientId: 'cid' },
        gapPolicy: 'LOCAL_CONTROL',
      }),
    );
    expect(profile).toMatchObject({
      measurementPublicationIntervalSeconds: 300,
      reportingAssetId: 'M1',
      gapPolicy: 'LOCAL_CONTROL',
      authMode: 'OAUTH2_CLIENT_CREDENTIALS',
    });
    expect(profile.authReferences).toEqual({
      ...PRESET_DEFAULTS.VECTOR_DERMS.authReferences,
      clientId: 'cid',
    });
    // The shared preset defaults are not changed by a create.
    expect(PRESET_DEFAULTS.VECTOR_DERMS.authReferences.clientId).toBeNull();
  });
});

describe('configuration version', () => {
  it('moves with configuration events only, not with the lifecycle events sharing the stream', () => {
    const lifecycleEvent = { type: 'OscpPeerOnline', data: {} } as unknown as ConnectionEvent;
    const state = [configured(vectorProfile()), enabled(), lifecycleEvent, lifecycleEvent].reduce(
      evolve,
      initialConnection(ID),
    );
    expect(state.version).toBe(4);
    expect(state.configurationVersion).toBe(2);
  });
});
