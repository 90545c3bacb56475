import {
  applyPatch,
  enablementProblems,
  measurementProblems,
  profileChanges,
  profileProblems,
  type ConnectionProfile,
  type FieldChange,
  type FieldProblem,
  type ProfilePatch,
  withProfileDefaults,
} from './connection-profile';

/**
 * The OscpConnection aggregate as a decider: `decide(command, state, now)` returns events or a
 * rejection, `evolve(state, event)` folds events into state. No I/O, no clock of its own.
 */

export type ConnectionState = 'CONFIGURED' | 'ENABLED';

export interface Connection {
  exists: boolean;
  id: string;
  profile: ConnectionProfile | null;
  enabled: boolean;
  state: ConnectionState;
  version: number;
  /** Version of the latest configuration event: what an editor's expectedVersion refers to. */
  configurationVersion: number;
  /** Deleted by an operator: nothing more can be done with it; its record stays. */
  deletedAt: string | null;
}

export const initialConnection = (id: string): Connection => ({
  exists: false,
  id,
  profile: null,
  enabled: false,
  state: 'CONFIGURED',
  version: 0,
  configurationVersion: 0,
  deletedAt: null,
});

export type ConnectionEvent =
  | {
      type: 'OscpConnectionConfigured';
      data: { connectionId: string; profile: ConnectionProfile; by: string; at: string };
    }
  | {
      type: 'OscpConnectionEdited';
      data: {
        connectionId: string;
        profile: ConnectionProfile;
        changes: FieldChange[];
        by: string;
        at: string;
      };
    }
  | { type: 'OscpConnectionEnabled'; data: { connectionId: string; by: string; at: string } }
  | {
      type: 'OscpConnectionDisabled';
      data: { connectionId: string; by: string; at: string; intentionalDisconnect?: boolean };
    }
  | { type: 'OscpConnectionDeleted'; data: { connectionId: string; by: string; at: string } };

export type ConnectionCommand =
  | { type: 'Configure'; profile: ConnectionProfile; enable: boolean; by: string }
  | { type: 'Edit'; patch: ProfilePatch; by: string }
  | { type: 'Enable'; by: string }
  | { type: 'Disable'; by: string }
  /** An operator takes back local control on purpose: disabled, marked DISCONNECTED. */
  | { type: 'Disconnect'; by: string }
  /** A disabled connection is removed from use; its record (events, audit) stays readable. */
  | { type: 'Delete'; by: string };

export type Rejection =
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'not-found' }
  | { kind: 'already-exists' }
  | { kind: 'conflict'; message: string };

export type Decision =
  { ok: true; events: ConnectionEvent[] } | { ok: false; rejection: Rejection };

const accept = (...events: ConnectionEvent[]): Decision => ({ ok: true, events });
const reject = (rejection: Rejection): Decision => ({ ok: false, rejection });

export function decide(command: ConnectionCommand, state: Connection, now: Date): Decision {
  const at = now.toISOString();
  const connectionId = state.id;
  if (state.deletedAt !== null && command.type !== 'Configure')
    return reject({
      kind: 'conflict',
      message: `This connection was deleted at ${state.deletedAt}.`,
    });
  switch (command.type) {
    case 'Configure': {
      if (state.exists) return reject({ kind: 'already-exists' });
      const problems = [
        ...profileProblems(command.profile),
        ...(command.enable ? enablementProblems(command.profile) : []),
      ];
      if (problems.length > 0) return reject({ kind: 'invalid', problems });
      const configured: ConnectionEvent = {
        type: 'OscpConnectionConfigured',
        data: { connectionId, profile: command.profile, by: command.by, at },
      };
      return command.enable
        ? accept(configured, {
            type: 'OscpConnectionEnabled',
            data: { connectionId, by: command.by, at },
          })
        : accept(configured);
    }
    case 'Edit': {
      if (!state.exists || !state.profile) return reject({ kind: 'not-found' });
      const profile = applyPatch(state.profile, command.patch);
      const problems = [
        ...profileProblems(profile),
        ...(state.enabled ? enablementProblems(profile) : []),
      ];
      if (problems.length > 0) return reject({ kind: 'invalid', problems });
      const changes = profileChanges(state.profile, profile);
      if (changes.length === 0) return accept();
      return accept({
        type: 'OscpConnectionEdited',
        data: { connectionId, profile, changes, by: command.by, at },
      });
    }
    case 'Enable': {
      if (!state.exists || !state.profile) return reject({ kind: 'not-found' });
      if (state.enabled)
        return reject({ kind: 'conflict', message: 'The connection is already enabled.' });
      // A profile saved under older rules may not meet today's measurement rules.
      const problems = [
        ...measurementProblems(state.profile),
        ...enablementProblems(state.profile),
      ];
      if (problems.length > 0) return reject({ kind: 'invalid', problems });
      return accept({ type: 'OscpConnectionEnabled', data: { connectionId, by: command.by, at } });
    }
    case 'Disable': {
      if (!state.exists) return reject({ kind: 'not-found' });
      if (!state.enabled)
        return reject({ kind: 'conflict', message: 'The connection is already disabled.' });
      return accept({ type: 'OscpConnectionDisabled', data: { connectionId, by: command.by, at } });
    }
    case 'Delete': {
      if (!state.exists) return reject({ kind: 'not-found' });
      if (state.enabled)
        return reject({
          kind: 'conflict',
          message: 'Disable (or disconnect) the connection before deleting it.',
        });
      return accept({ type: 'OscpConnectionDeleted', data: { connectionId, by: command.by, at } });
    }
    case 'Disconnect': {
      if (!state.exists) return reject({ kind: 'not-found' });
      if (!state.enabled)
        return reject({
          kind: 'conflict',
          message: 'The connection is not active; there is nothing to disconnect.',
        });
      return accept({
        type: 'OscpConnectionDisabled',
        data: { connectionId, by: command.by, at, intentionalDisconnect: true },
      });
    }
  }
}

export function evolve(state: Connection, event: ConnectionEvent): Connection {
  const version = state.version + 1;
  switch (event.type) {
    case 'OscpConnectionConfigured':
      return {
        ...state,
        exists: true,
        profile: withProfileDefaults(event.data.profile),
        version,
        configurationVersion: version,
      };
    case 'OscpConnectionEdited':
      return {
        ...state,
        profile: withProfileDefaults(event.data.profile),
        version,
        configurationVersion: version,
      };
    case 'OscpConnectionEnabled':
      return { ...state, enabled: true, state: 'ENABLED', version, configurationVersion: version };
    case 'OscpConnectionDisabled':
      return {
        ...state,
        enabled: false,
        state: 'CONFIGURED',
        version,
        configurationVersion: version,
      };
    case 'OscpConnectionDeleted':
      return { ...state, deletedAt: event.data.at, version, configurationVersion: version };
    default:
      // Other events on the stream (lifecycle) count for the version only.
      return { ...state, version };
  }
}

export function fold(id: string, events: readonly ConnectionEvent[]): Connection {
  return events.reduce(evolve, initialConnection(id));
}
