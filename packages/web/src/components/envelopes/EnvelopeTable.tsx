import { Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { depotKeys, withdrawEnvelope } from '../../api/microgrid';
import type { EnvelopeView, Role } from '../../api/types';
import { canManage, NEEDS_MANAGER } from '../../auth/permissions';
import { formatAmps, formatDateTime, formatLimit } from '../../format';
import { EnvelopeStatusBadge } from '../badges';
import { ConfirmModal } from '../ConfirmModal';
import { PermittedButton } from '../PermittedButton';
import { Empty } from '../States';

type Block = EnvelopeView['blocks'][number];

function blockAt(envelope: EnvelopeView, now: number): Block | undefined {
  return envelope.blocks.find((b) => Date.parse(b.start) <= now && now < Date.parse(b.end));
}

function nextBlock(envelope: EnvelopeView, now: number): Block | undefined {
  return envelope.blocks
    .filter((b) => Date.parse(b.start) > now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))[0];
}

function LimitCell({
  envelope,
  now,
  timeZone,
}: {
  envelope: EnvelopeView;
  now: number;
  timeZone: string;
}) {
  const current = blockAt(envelope, now);
  if (current) {
    return (
      <Text size="sm" fw={600} className="num" data-testid="envelope-current-limit">
        {formatAmps(current.importLimitA)}
        {current.importLimit.unit !== 'A' && (
          <Text span size="xs" c="dimmed" fw={400}>
            {' '}
            ({formatLimit(current.importLimit)})
          </Text>
        )}
      </Text>
    );
  }
  const next = nextBlock(envelope, now);
  return (
    <Text size="sm" c="dimmed" className="num" data-testid="envelope-current-limit">
      {next ? `${formatAmps(next.importLimitA)} from ${formatDateTime(next.start, timeZone)}` : '—'}
    </Text>
  );
}

export function EnvelopeTable({
  envelopes,
  scopeNames,
  timeZone,
  role,
  now,
}: {
  envelopes: EnvelopeView[];
  scopeNames: Map<string, string>;
  timeZone: string;
  role: Role;
  now: number;
}) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<EnvelopeView | null>(null);
  const mayManage = canManage(role);

  const withdraw = useMutation({
    mutationFn: (id: string) => withdrawEnvelope(id),
    onSuccess: async (envelope) => {
      notifications.show({
        color: 'teal',
        title: 'Envelope withdrawn',
        message: `“${envelope.source}” no longer limits the circuit.`,
      });
      setTarget(null);
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });

  if (envelopes.length === 0) {
    return (
      <Empty
        testId="empty-envelopes"
        title="No open envelopes"
        description="The circuit runs on its static limit until an envelope is submitted."
      />
    );
  }

  return (
    <>
      <Table.ScrollContainer minWidth={820}>
        <Table data-testid="envelope-table" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Source</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Span ({timeZone})</Table.Th>
              <Table.Th ta="right">Blocks</Table.Th>
              <Table.Th ta="right">Current limit</Table.Th>
              <Table.Th w={110} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {envelopes.map((e) => (
              <Table.Tr key={e.id} data-testid="envelope-row" data-envelope-id={e.id}>
                <Table.Td>
                  <Stack gap={0}>
                    <Text size="sm" fw={500} data-testid="envelope-source-label">
                      {e.source}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {scopeNames.get(e.scopeId) ?? 'Scope'} · by {e.submittedBy ?? 'system'}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <EnvelopeStatusBadge status={e.status} />
                </Table.Td>
                <Table.Td>
                  <Tooltip label={`Submitted ${formatDateTime(e.submittedAt, timeZone)}`} withArrow>
                    <Text size="sm" className="num">
                      {formatDateTime(e.startsAt, timeZone)} → {formatDateTime(e.endsAt, timeZone)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {e.blocks.length}
                </Table.Td>
                <Table.Td ta="right">
                  <LimitCell envelope={e} now={now} timeZone={timeZone} />
                </Table.Td>
                <Table.Td ta="right">
                  <PermittedButton
                    allowed={mayManage}
                    reason={NEEDS_MANAGER}
                    size="compact-xs"
                    variant="light"
                    color="gray"
                    onClick={() => {
                      withdraw.reset();
                      setTarget(e);
                    }}
                    data-testid="withdraw-envelope"
                  >
                    Withdraw
                  </PermittedButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConfirmModal
        opened={target !== null}
        title="Withdraw this envelope?"
        confirmLabel="Withdraw envelope"
        confirmTestId="confirm-withdraw"
        loading={withdraw.isPending}
        error={withdraw.error}
        onClose={() => setTarget(null)}
        onConfirm={() => target && withdraw.mutate(target.id)}
      >
        The envelope <b>“{target?.source}”</b> stops limiting the circuit now, and every block still
        ahead is dropped. The circuit falls back to the next envelope in force or its static limit.
        This cannot be undone.
      </ConfirmModal>
    </>
  );
}
