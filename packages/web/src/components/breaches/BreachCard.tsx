import { Badge, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useCircuitBreachReports } from '../../api/oscp';
import type { CircuitBreaches } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { formatAmps } from '../../format';
import { PermittedButton } from '../PermittedButton';
import { SectionCard } from '../SectionCard';
import { Empty } from '../States';
import { BreachEpisodeTable } from './BreachEpisodeTable';
import { BreachSettingsModal } from './BreachSettingsModal';
import { BreachStatusBadge } from './BreachStatusBadge';
import { breachRule, breachSummary } from './breach-wording';

/**
 * Breach detection on a circuit: what it sees now (amber while over the limit, red while a breach
 * is open), the load per phase against the limit, recent episodes and who was told of them.
 */
export function BreachCard({
  circuitId,
  breaches,
  timeZone,
  manage,
}: {
  circuitId: string;
  breaches: CircuitBreaches;
  timeZone: string;
  manage: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const reports = useCircuitBreachReports(circuitId);
  const hot = breaches.status === 'OPEN' ? 'red' : 'orange';
  return (
    <SectionCard
      title="Breaches"
      testId="breach-section"
      extra={
        <Group gap="xs">
          <BreachStatusBadge status={breaches.status} />
          <PermittedButton
            allowed={manage}
            reason={NEEDS_MANAGER}
            size="xs"
            variant="default"
            onClick={() => setEditing(true)}
            data-testid="breach-settings"
          >
            Settings
          </PermittedButton>
        </Group>
      }
    >
      <Stack gap="sm">
        <Text size="sm" data-testid="breach-summary">
          {breachSummary(breaches, timeZone)}
        </Text>
        <Group gap="xs" data-testid="breach-phases">
          {breaches.phases.map((p) => (
            <Badge
              key={p.phase}
              color={p.overLimit && breaches.status !== 'NORMAL' ? hot : 'gray'}
              variant={p.overLimit ? 'filled' : 'light'}
              radius="sm"
              tt="none"
              className="num"
              data-testid="breach-phase"
              data-over={p.overLimit}
            >
              {p.phase} {formatAmps(p.measuredA)} / {formatAmps(breaches.limitA)}
            </Badge>
          ))}
        </Group>
        <Text size="xs" c="dimmed" data-testid="breach-rule">
          {breachRule(breaches)}
        </Text>
        {breaches.episodes.length === 0 ? (
          <Empty
            testId="breach-episodes-empty"
            title="No breaches in the past 24 hours"
            description="Episodes appear here with the connection each was reported to."
          />
        ) : (
          <BreachEpisodeTable
            episodes={breaches.episodes}
            reports={reports.data?.reports ?? []}
            timeZone={timeZone}
          />
        )}
      </Stack>
      {editing && (
        <BreachSettingsModal
          circuitId={circuitId}
          settings={breaches.settings}
          onClose={() => setEditing(false)}
        />
      )}
    </SectionCard>
  );
}
