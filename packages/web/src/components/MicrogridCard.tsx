import {
  Anchor,
  Badge,
  Card,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { Link } from 'react-router-dom';
import type { CircuitSummary, MicrogridSummary, ScopeSummary } from '../api/types';
import { formatAmps, formatVolts } from '../format';
import { SourceBadge } from './badges';
import { IconAlert } from './icons';

function ScopeLine({ scope }: { scope: ScopeSummary }) {
  return (
    <Group gap="xs" wrap="nowrap" data-testid="scope-row">
      <Text size="sm" fw={500}>
        {scope.name}
      </Text>
      <Text size="sm" c="dimmed">
        →
      </Text>
      {scope.circuit ? (
        <Anchor component={Link} to={`/circuits/${scope.circuit.id}`} size="sm">
          {scope.circuit.name}
        </Anchor>
      ) : (
        <Tooltip
          withArrow
          multiline
          maw={320}
          label={
            scope.mappingProblem === 'MULTIPLE_CIRCUITS'
              ? 'An envelope for this scope cannot be applied: it must map to exactly one circuit. Fix it in Depot model.'
              : 'Envelopes for this scope have no circuit to apply to. Map it to a circuit in Depot model.'
          }
        >
          <Badge
            color="orange"
            variant="light"
            radius="sm"
            tt="none"
            leftSection={<IconAlert size={12} />}
            data-testid="scope-mapping-warning"
          >
            {scope.mappingProblem === 'MULTIPLE_CIRCUITS'
              ? `Maps to ${scope.circuits.length} circuits (${scope.circuits.map((c) => c.name).join(', ')})`
              : 'Maps to no circuit'}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

function CircuitTile({ circuit, timeZone }: { circuit: CircuitSummary; timeZone: string }) {
  return (
    <Paper p="sm" data-testid="circuit-summary" data-circuit-id={circuit.id}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Anchor
            component={Link}
            to={`/circuits/${circuit.id}`}
            fw={600}
            data-testid="circuit-link"
          >
            {circuit.name}
          </Anchor>
          <Text size="xs" c="dimmed">
            {circuit.phaseCount}-phase · {formatVolts(circuit.nominalVoltageV)}
          </Text>
        </Group>
        <Group gap={6} align="baseline">
          <Text fz={26} fw={700} className="num" data-testid="circuit-effective-capacity">
            {formatAmps(circuit.effectiveCapacityA)}
          </Text>
          <Text size="sm" c="dimmed">
            per phase
          </Text>
        </Group>
        <Text size="xs" c="dimmed" className="num">
          Static capacity {formatAmps(circuit.staticCapacityA)} per phase
        </Text>
        <SourceBadge source={circuit.source} timeZone={timeZone} testId="circuit-source" />
        <Group gap="md">
          <Text size="xs" className="num" data-testid="charger-count">
            <b>{circuit.chargerCount}</b> chargers
          </Text>
          <Text size="xs" className="num" data-testid="active-session-count">
            <b>{circuit.activeSessionCount}</b> charging
          </Text>
          <Anchor component={Link} to={`/circuits/${circuit.id}`} size="xs" ml="auto">
            Open circuit →
          </Anchor>
        </Group>
      </Stack>
    </Paper>
  );
}

export function MicrogridCard({ microgrid }: { microgrid: MicrogridSummary }) {
  return (
    <Card data-testid="microgrid-card" data-microgrid-id={microgrid.id}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} fz="h4" data-testid="microgrid-name" style={{ wordBreak: 'break-word' }}>
            {microgrid.name}
          </Title>
          <Badge
            variant="outline"
            color="gray"
            radius="sm"
            tt="none"
            data-testid="microgrid-timezone"
          >
            {microgrid.timezone}
          </Badge>
        </Group>
        <Stack gap={4}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={600}>
            Managed scopes
          </Text>
          {microgrid.scopes.length === 0 ? (
            <Text size="sm" c="dimmed">
              No managed scopes: envelopes cannot reach this microgrid yet.
            </Text>
          ) : (
            microgrid.scopes.map((s) => <ScopeLine key={s.id} scope={s} />)
          )}
        </Stack>
        <Stack gap={4}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={600}>
            Circuits
          </Text>
          {microgrid.circuits.length === 0 ? (
            <Text size="sm" c="dimmed">
              No circuits yet.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
              {microgrid.circuits.map((c) => (
                <CircuitTile key={c.id} circuit={c} timeZone={microgrid.timezone} />
              ))}
            </SimpleGrid>
          )}
        </Stack>
      </Stack>
    </Card>
  );
}
