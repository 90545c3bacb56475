import { Badge, Group, Text, Tooltip } from '@mantine/core';
import type { BindingView, CapacitySourceView, EnvelopeView, Role } from '../api/types';
import { ROLE_LABEL } from '../auth/permissions';
import { formatDateTime } from '../format';

/*
 * Colour discipline: grey = the static limit (the normal, quiet state), blue = an envelope in force,
 * orange = a charger paused by the balancer. Yellow is reserved for fallback mode and red for real
 * faults, so neither is used here.
 */

export function SourceBadge({
  source,
  timeZone,
  testId,
}: {
  source: CapacitySourceView;
  timeZone?: string;
  testId?: string;
}) {
  const isEnvelope = source.kind === 'ENVELOPE';
  if (source.fallbackReason) {
    // Fallback mode is yellow: a safe, degraded state, never a red alarm.
    return (
      <Tooltip label={`Fallback mode: ${source.fallbackReason}`} withArrow multiline w={320}>
        <Badge data-testid={testId} color="yellow" variant="filled" radius="sm" tt="none" c="dark">
          Fallback mode · {source.label}
        </Badge>
      </Tooltip>
    );
  }
  const badge = (
    <Badge
      data-testid={testId}
      color={isEnvelope ? 'blue' : 'gray'}
      variant="light"
      radius="sm"
      tt="none"
      style={{ maxWidth: '100%' }}
    >
      {source.label}
    </Badge>
  );
  if (isEnvelope && source.until) {
    return (
      <Tooltip label={`In force until ${formatDateTime(source.until, timeZone)}`} withArrow>
        {badge}
      </Tooltip>
    );
  }
  return badge;
}

/** Short badges in table cells: never collapse to an ellipsis. */
export const NO_TRUNCATE = { root: { flexShrink: 0 }, label: { overflow: 'visible' } } as const;

const BINDING_TEXT: Record<BindingView['kind'], string> = {
  CAPACITY: 'Circuit capacity',
  CHARGER_MAX: 'Charger max',
  VEHICLE_MAX: 'Vehicle max',
  PAUSED: 'Paused',
  NOT_FOLLOWING: 'Not following',
};

const BINDING_HELP: Record<BindingView['kind'], string> = {
  CAPACITY: 'The circuit’s capacity limits this charger',
  CHARGER_MAX: 'The charger’s own maximum current limits it',
  VEHICLE_MAX: 'The vehicle’s maximum current limits it',
  PAUSED: 'The balancer paused this charger',
  NOT_FOLLOWING: 'The charger did not take its limit, so it is counted at its maximum',
};

const BINDING_COLOR: Record<BindingView['kind'], string> = {
  CAPACITY: 'blue',
  CHARGER_MAX: 'gray',
  VEHICLE_MAX: 'teal',
  PAUSED: 'orange',
  NOT_FOLLOWING: 'red',
};

/** The constraint that set a charger's allocation; tooltip explains it, PAUSED shows its reason. */
export function BindingBadge({ binding }: { binding: BindingView }) {
  const text =
    binding.kind === 'CAPACITY' && binding.phase
      ? `Capacity ${binding.phase}`
      : BINDING_TEXT[binding.kind];
  const tooltip = `${BINDING_HELP[binding.kind]}: ${binding.label}`;
  return (
    <Group gap={6} wrap="nowrap" data-testid="binding" data-binding={binding.kind}>
      <Tooltip label={tooltip} withArrow multiline maw={320}>
        <Badge
          color={BINDING_COLOR[binding.kind]}
          variant="light"
          radius="sm"
          tt="none"
          styles={NO_TRUNCATE}
        >
          {text}
        </Badge>
      </Tooltip>
      {(binding.kind === 'PAUSED' || binding.kind === 'NOT_FOLLOWING') && (
        <Text size="xs" c="orange.8" lineClamp={2}>
          {binding.label}
        </Text>
      )}
    </Group>
  );
}

const STATUS_COLOR: Record<EnvelopeView['status'], string> = {
  ACTIVE: 'blue',
  SCHEDULED: 'indigo',
  EXPIRED: 'gray',
  WITHDRAWN: 'gray',
};

export function EnvelopeStatusBadge({ status }: { status: EnvelopeView['status'] }) {
  return (
    <Badge
      color={STATUS_COLOR[status]}
      variant={status === 'ACTIVE' ? 'filled' : 'light'}
      radius="sm"
      data-testid="envelope-status"
    >
      {status.toLowerCase()}
    </Badge>
  );
}

export function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge variant="outline" color="gray" radius="sm" tt="none" data-testid="role">
      {ROLE_LABEL[role]}
    </Badge>
  );
}
