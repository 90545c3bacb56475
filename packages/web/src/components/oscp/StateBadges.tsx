import { Badge, Tooltip } from '@mantine/core';
import type { ConnectionSummary } from '../../api/oscp';
import { formatDateTime } from '../../format';

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
      variant={state === 'ONLINE' ? 'filled' : 'light'}
      radius="sm"
    >
      {state}
    </Badge>
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
    <Badge color={PUBLICATION_COLOR[status] ?? 'gray'} variant="light" radius="sm">
      {status}
    </Badge>
  );
}

/** A red dot with the message for an uncleared error, "cleared" once a later success superseded it. */
export function ErrorMarker({ error }: { error: ConnectionSummary['latestError'] }) {
  if (!error) return null;
  if (error.clearedAt) {
    return (
      <Tooltip
        label={`${error.message} (cleared ${formatDateTime(error.clearedAt)})`}
        withArrow
        multiline
        w={320}
      >
        <Badge
          data-testid="error-marker"
          data-cleared="true"
          color="gray"
          variant="light"
          radius="sm"
        >
          cleared
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Tooltip label={error.message} withArrow multiline w={320}>
      <Badge data-testid="error-marker" data-cleared="false" color="red" variant="dot" radius="sm">
        error
      </Badge>
    </Tooltip>
  );
}
