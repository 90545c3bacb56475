import { Group, List, Text } from '@mantine/core';
import type { IncidentView } from '../../api/types';
import { formatDateTime } from '../../format';
import { ModeBadge } from '../oscp/StateBadges';

interface ModeChange {
  mode: string;
  reason: string;
  at: string;
}

/** The mode changes an incident's context records, oldest first (fallback incidents keep them). */
export function incidentHistory(context: Record<string, unknown>): ModeChange[] {
  const history = context.history;
  if (!Array.isArray(history)) return [];
  return history.filter(
    (h): h is ModeChange =>
      h !== null &&
      typeof h === 'object' &&
      typeof (h as ModeChange).mode === 'string' &&
      typeof (h as ModeChange).at === 'string',
  );
}

/**
 * What an incident is about now and how it got there: the mode in force (while open, or when it
 * was resolved) and each change of mode with its reason and time.
 */
export function IncidentSummary({ incident }: { incident: IncidentView }) {
  const mode = typeof incident.context.mode === 'string' ? incident.context.mode : null;
  const history = incidentHistory(incident.context);
  if (!mode && history.length === 0) return null;
  return (
    <>
      {mode && (
        <Group gap={6} mt={2} data-testid="incident-mode">
          <Text size="xs" c="dimmed">
            {incident.status === 'OPEN' ? 'Now' : 'Last'}:
          </Text>
          <ModeBadge mode={mode} />
          {typeof incident.context.reason === 'string' && (
            <Text size="xs" c="dimmed">
              {incident.context.reason}
            </Text>
          )}
        </Group>
      )}
      {history.length > 0 && (
        <List size="xs" mt={4} spacing={2} data-testid="incident-history">
          {history.map((h) => (
            <List.Item key={`${h.at}:${h.mode}`} data-testid="incident-history-entry">
              {formatDateTime(h.at)} · {h.mode}
              {h.reason ? `: ${h.reason}` : ''}
            </List.Item>
          ))}
        </List>
      )}
    </>
  );
}
