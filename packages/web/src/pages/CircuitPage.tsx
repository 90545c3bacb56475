import { Anchor, Badge, Breadcrumbs, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { depotKeys, rebalanceCircuit } from '../api/microgrid';
import {
  useCapacityHistory,
  useCircuit,
  useCircuitBreaches,
  useCircuitEnvelopes,
} from '../api/queries';
import type { CircuitBreaches, CircuitDetail } from '../api/types';
import { useUser } from '../auth/context';
import { canManage, canOperate, NEEDS_OPERATOR } from '../auth/permissions';
import { BreachCard } from '../components/breaches/BreachCard';
import { BREACH_STATUS } from '../components/breaches/BreachStatusBadge';
import { CapacityChart } from '../components/capacity-chart/CapacityChart';
import { ChargerTable } from '../components/ChargerTable';
import { EnvelopeForm } from '../components/envelopes/EnvelopeForm';
import { EnvelopeTable } from '../components/envelopes/EnvelopeTable';
import { IconRefresh } from '../components/icons';
import { OcppStatusSection } from '../components/ocpp/OcppStatusSection';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { SectionCard } from '../components/SectionCard';
import { StatCard } from '../components/StatCard';
import { ErrorState, LoadingState, RefreshError } from '../components/States';
import { formatAmps, formatDateTime, formatVolts } from '../format';

function Stats({
  circuit,
  breach,
}: {
  circuit: CircuitDetail;
  breach: CircuitBreaches['status'] | undefined;
}) {
  const isEnvelope = circuit.source.kind === 'ENVELOPE';
  const allocated = Object.entries(circuit.allocatedA)
    .map(([phase, a]) => `${phase} ${formatAmps(a)}`)
    .join(' · ');
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
      <StatCard
        label="Static capacity"
        testId="static-capacity"
        value={formatAmps(circuit.staticCapacityA)}
        hint="per phase, the circuit’s own limit"
      />
      <StatCard
        label="Effective capacity"
        testId="effective-capacity"
        value={
          <Text span inherit c={isEnvelope ? 'blue.7' : undefined}>
            {formatAmps(circuit.effectiveCapacityA)}
          </Text>
        }
        hint={`per phase, since ${formatDateTime(circuit.capacityUpdatedAt, circuit.timezone)}`}
      />
      <StatCard
        label="Source in force"
        testId="capacity-source"
        value={
          circuit.source.fallbackReason ? (
            <Stack gap={4}>
              <Badge
                color="yellow"
                variant="filled"
                c="dark"
                radius="sm"
                data-testid="fallback-mode"
              >
                Fallback mode
              </Badge>
              <Text span fz="sm" fw={600}>
                {circuit.source.label}
              </Text>
              <Text span fz="xs" c="dimmed" data-testid="fallback-reason">
                {circuit.source.fallbackReason}
              </Text>
            </Stack>
          ) : (
            <Text span fz="md" fw={600} c={isEnvelope ? 'blue.7' : 'gray.7'}>
              {circuit.source.label}
            </Text>
          )
        }
        hint={
          isEnvelope && circuit.source.until
            ? `until ${formatDateTime(circuit.source.until, circuit.timezone)}`
            : isEnvelope
              ? 'envelope in force'
              : 'no envelope in force'
        }
      />
      <StatCard
        label="Measured load"
        testId="measured-load"
        value={
          <Text
            span
            inherit
            c={breach && breach !== 'NORMAL' ? `${BREACH_STATUS[breach].color}.7` : undefined}
          >
            {formatAmps(circuit.measuredLoadA)}
          </Text>
        }
        hint={allocated ? `Allocated ${allocated}` : 'most loaded phase'}
      />
    </SimpleGrid>
  );
}

export function CircuitPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const queryClient = useQueryClient();
  const circuit = useCircuit(id);
  const history = useCapacityHistory(id);
  const envelopes = useCircuitEnvelopes(id);
  const breaches = useCircuitBreaches(id);

  const rebalance = useMutation({
    mutationFn: () => rebalanceCircuit(id),
    onSuccess: async (detail) => {
      queryClient.setQueryData(depotKeys.circuit(id), detail);
      const charging = detail.chargers.filter((c) => c.session).length;
      notifications.show({
        color: 'teal',
        title: 'Rebalanced',
        message: `${formatAmps(detail.effectiveCapacityA)} per phase shared among ${charging} charging ${
          charging === 1 ? 'charger' : 'chargers'
        }.`,
      });
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
    onError: (error) =>
      notifications.show({
        color: 'red',
        title: 'Rebalance failed',
        message: error instanceof Error ? error.message : String(error),
      }),
  });

  // The server's "now" (from the history answer) so the chart agrees with the server's clock.
  const now = useMemo(() => {
    if (history.data) return Date.parse(history.data.to) + (Date.now() - history.dataUpdatedAt);
    return Date.now();
  }, [history.data, history.dataUpdatedAt]);
  const openEnvelopes = useMemo(() => envelopes.data?.envelopes ?? [], [envelopes.data]);

  if (circuit.isPending) return <LoadingState rows={8} label="Loading the circuit…" />;
  if (circuit.isError && !circuit.data) {
    return (
      <Stack>
        <Breadcrumbs>
          <Anchor component={Link} to="/">
            Depot
          </Anchor>
          <Text size="sm">Circuit</Text>
        </Breadcrumbs>
        <ErrorState
          error={circuit.error}
          title="Could not load the circuit"
          onRetry={() => void circuit.refetch()}
        />
      </Stack>
    );
  }
  const c = circuit.data;
  const scopeNames = new Map(c.scopes.map((s) => [s.id, s.name]));

  return (
    <Stack gap="md" data-testid="circuit-page">
      <Breadcrumbs>
        <Anchor component={Link} to="/" size="sm">
          Depot
        </Anchor>
        <Text size="sm">{c.microgridName}</Text>
        <Text size="sm">{c.name}</Text>
      </Breadcrumbs>
      <PageHeader
        title={<span data-testid="circuit-name">{c.name}</span>}
        subtitle={
          <>
            {c.microgridName} · {c.phaseCount}-phase · {formatVolts(c.nominalVoltageV)} · times in{' '}
            {c.timezone}
          </>
        }
        actions={
          <PermittedButton
            allowed={canOperate(user.role)}
            reason={NEEDS_OPERATOR}
            leftSection={<IconRefresh size={16} />}
            variant="default"
            loading={rebalance.isPending}
            onClick={() => rebalance.mutate()}
            data-testid="rebalance"
          >
            Rebalance
          </PermittedButton>
        }
      />
      {circuit.isError && <RefreshError error={circuit.error} />}

      <Stats circuit={c} breach={breaches.data?.status} />

      <SectionCard title="Capacity, past 24 h and ahead" testId="capacity-section">
        {history.isPending ? (
          <LoadingState label="Loading capacity history…" />
        ) : history.isError && !history.data ? (
          <ErrorState error={history.error} title="Could not load the capacity history" />
        ) : (
          <CapacityChart
            history={history.data}
            envelopes={openEnvelopes}
            timeZone={c.timezone}
            staticCapacityA={c.staticCapacityA}
            effectiveCapacityA={c.effectiveCapacityA}
            now={now}
            breaches={breaches.data}
          />
        )}
      </SectionCard>

      {breaches.data ? (
        <BreachCard
          circuitId={c.id}
          breaches={breaches.data}
          timeZone={c.timezone}
          manage={canManage(user.role)}
        />
      ) : breaches.isError ? (
        <ErrorState error={breaches.error} title="Could not load breach detection" />
      ) : (
        <LoadingState rows={2} label="Loading breach detection…" />
      )}

      <SectionCard
        title="Chargers"
        testId="charger-section"
        extra={
          <Text size="sm" c="dimmed" className="num">
            {c.chargers.filter((ch) => ch.session).length} of {c.chargers.length} charging
          </Text>
        }
      >
        <ChargerTable chargers={c.chargers} timeZone={c.timezone} role={user.role} />
      </SectionCard>

      <OcppStatusSection circuit={c} />

      <SectionCard title="Open envelopes" testId="envelope-section">
        <Stack gap="md">
          {envelopes.isPending ? (
            <LoadingState rows={3} label="Loading envelopes…" />
          ) : envelopes.isError && !envelopes.data ? (
            <ErrorState error={envelopes.error} title="Could not load the envelopes" />
          ) : (
            <EnvelopeTable
              envelopes={openEnvelopes}
              scopeNames={scopeNames}
              timeZone={c.timezone}
              role={user.role}
              now={now}
            />
          )}
        </Stack>
      </SectionCard>

      <SectionCard title="Submit envelope" testId="envelope-form-section">
        {canManage(user.role) ? (
          <EnvelopeForm
            key={c.id}
            scopes={c.scopes}
            timeZone={c.timezone}
            staticCapacityA={c.staticCapacityA}
          />
        ) : (
          <Text size="sm" c="dimmed" data-testid="envelope-form-forbidden">
            Submitting and withdrawing envelopes requires the Manager or System admin role.
          </Text>
        )}
      </SectionCard>
    </Stack>
  );
}
