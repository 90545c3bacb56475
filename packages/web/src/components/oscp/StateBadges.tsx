import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { ConnectionSummary } from '../../api/types';
import { formatDateTimeSeconds } from '../../format';
import { NO_TRUNCATE } from '../badges';

export const PRESET_LABEL: Record<string, string> = {
  VECTOR_DERMS: 'Vector DERMS',
  OSCP_STANDARD: 'OSCP 2.0 standard',
  CUSTOM: 'Custom',
};

export const AUTH_LABEL: Record<string, string> = {
  OSCP_TOKEN: 'Token exchange',
  OAUTH2_CLIENT_CREDENTIALS: 'OAuth2 client credentials',
};

/** One colour per state; yellow stays free for fallback mode, red for real faults. */
const STATE_COLOR: Record<string, string> = {
  CONFIGURED: 'gray',
  DISABLED: 'gray',
  DISCONNECTED: 'gray',
  REGISTERING: 'blue',
  REGISTERED: 'cyan',
  HANDSHAKEN: 'teal',
  ONLINE: 'green',
  OFFLINE: 'orange',
  REGISTRATION_FAILED: 'red',
};

export function StateBadge({ state }: { state: string }) {
  return (
    <Badge
      data-testid="state-badge"
      color={STATE_COLOR[state] ?? 'gray'}
      data-state={state}
      variant={state === 'ONLINE' ? 'filled' : 'light'}
      radius="sm"
      styles={NO_TRUNCATE}
    >
      {state}
    </Badge>
  );
}

/** A deleted connection is read-only; its record stays. */
export function DeletedBadge({ at, timeZone }: { at: string; timeZone?: string | undefined }) {
  return (
    <Tooltip label={`Deleted ${formatDateTimeSeconds(at, timeZone)}; its record stays readable`}>
      <Badge color="gray" variant="outline" radius="sm" data-testid="deleted-badge">
        deleted
      </Badge>
    </Tooltip>
  );
}

const MODE_LABEL: Record<string, string> = {
  NORMAL: 'Normal: forecast in force',
  FALLBACK_OFFLINE: 'Fallback mode: peer offline',
  FALLBACK_GAP: 'Fallback mode: forecast gap',
  GAP_POLICY: 'Fallback mode: gap policy',
  LOCAL: 'Local control',
};

export function ModeBadge({ mode, reason }: { mode: string; reason?: string }) {
  const fallback = mode === 'FALLBACK_OFFLINE' || mode === 'FALLBACK_GAP' || mode === 'GAP_POLICY';
  const badge = (
    <Badge
      data-testid="mode-badge"
      data-mode={mode}
      color={fallback ? 'yellow' : mode === 'NORMAL' ? 'blue' : 'gray'}
      variant={fallback ? 'filled' : 'light'}
      c={fallback ? 'dark' : undefined}
      radius="sm"
      tt="none"
    >
      {MODE_LABEL[mode] ?? mode}
    </Badge>
  );
  return reason ? (
    <Tooltip label={reason} withArrow multiline w={320}>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}

const PUBLICATION_COLOR: Record<string, string> = {
  PENDING: 'gray',
  SENDING: 'blue',
  DELIVERED: 'green',
  RETRYING: 'orange',
  FAILED: 'red',
};

export function PublicationBadge({ status }: { status: string }) {
  return (
    <Badge
      color={PUBLICATION_COLOR[status] ?? 'gray'}
      variant="light"
      radius="sm"
      styles={NO_TRUNCATE}
      data-testid="publication-status"
    >
      {status}
    </Badge>
  );
}

/** What was attempted, where, with what result, when: the tooltip of the error marker. */
function ErrorTooltip({ error }: { error: NonNullable<ConnectionSummary['latestError']> }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={600}>
        {error.message}
      </Text>
      <Text size="xs">
        {error.attempted}
        {error.status ? ` · ${statusText(error.status)}` : ''} · {formatDateTimeSeconds(error.at)}
      </Text>
      {error.clearedAt && (
        <Text size="xs">Cleared {formatDateTimeSeconds(error.clearedAt)} by a later success</Text>
      )}
    </Stack>
  );
}

/** `HTTP 503`, `timeout`, or the outcome as the server named it. */
export function statusText(status: string): string {
  return /^\d{3}$/.test(status) ? `HTTP ${status}` : status;
}

/** A red dot with the message for an uncleared error, "cleared" once a later success superseded it. */
export function ErrorMarker({ error }: { error: ConnectionSummary['latestError'] }) {
  if (!error) return null;
  const cleared = Boolean(error.clearedAt);
  return (
    <Tooltip label={<ErrorTooltip error={error} />} withArrow multiline w={340}>
      <Badge
        data-testid="error-marker"
        data-cleared={String(cleared)}
        color={cleared ? 'gray' : 'red'}
        variant={cleared ? 'light' : 'dot'}
        radius="sm"
        tt="none"
        styles={NO_TRUNCATE}
        aria-label={cleared ? `Cleared error: ${error.message}` : `Error: ${error.message}`}
      >
        {cleared ? 'cleared' : 'error'}
      </Badge>
    </Tooltip>
  );
}

/** Whether the secret a reference names holds a value (values themselves are never shown). */
export function SecretStatusBadge({ set, testId }: { set: boolean; testId?: string }) {
  return (
    <Badge
      data-testid={testId}
      data-set={String(set)}
      color={set ? 'teal' : 'orange'}
      variant="light"
      radius="sm"
      tt="none"
      styles={NO_TRUNCATE}
    >
      {set ? 'set' : 'not set'}
    </Badge>
  );
}
