import { Anchor, Code, Group, NativeSelect, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { OUTBOUND_KINDS, PUBLICATION_STATUSES, usePublications } from '../../api/oscp';
import type { Publication } from '../../api/types';
import { PagedQuery } from '../paging/PagedQuery';
import { usePaging } from '../paging/usePaging';
import { Card, Clipped, when } from './CardParts';
import { PublicationDetailModal } from './PublicationDetailModal';
import { PublicationBadge } from './StateBadges';

function PublicationRow({
  p,
  timeZone,
  onOpen,
}: {
  p: Publication;
  timeZone: string | undefined;
  onOpen: () => void;
}) {
  const where = `${p.lastHttpStatus ? `HTTP ${p.lastHttpStatus} · ` : ''}${p.lastUrl ?? 'no URL'}`;
  return (
    <Table.Tr data-testid="publication-row" data-kind={p.kind} data-status={p.status}>
      <Table.Td fw={500}>
        <Anchor
          component="button"
          type="button"
          size="xs"
          fw={500}
          w="100%"
          ta="left"
          style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
          onClick={onOpen}
          data-testid="publication-open"
        >
          {p.kind}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Tooltip
          label={`Request ${p.requestId}${p.correlationId ? ` · correlation ${p.correlationId}` : ''}`}
          withArrow
          multiline
          maw={420}
        >
          <Code
            fz="xs"
            display="block"
            style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
          >
            {p.requestId}
          </Code>
        </Tooltip>
        {p.correlationId && (
          <Text size="xs" c="dimmed" truncate="end" data-testid="publication-correlation">
            ↳ {p.correlationId}
          </Text>
        )}
      </Table.Td>
      <Table.Td className="num nowrap">
        {p.attempts} of {p.maxAttempts}
      </Table.Td>
      <Table.Td>
        <Stack gap={0}>
          <PublicationBadge status={p.status} />
          {p.status === 'RETRYING' && (
            <Text size="xs" c="dimmed">
              next {when(p.nextAttemptAt, timeZone)}
            </Text>
          )}
          {p.status === 'DELIVERED' && p.deliveredAt && (
            <Text size="xs" c="dimmed">
              {when(p.deliveredAt, timeZone)}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        {p.lastError ? (
          <Clipped
            text={`${p.lastHttpStatus ? `${p.lastHttpStatus}: ` : ''}${p.lastError}`}
            tooltip={`${p.lastError} (${where})`}
            color={p.status === 'DELIVERED' ? 'dimmed' : 'red.7'}
          />
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Text size="xs">{when(p.createdAt, timeZone)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** Every message sent to the peer, newest first, filtered by status and type; each opens with its body. */
export function PublicationsCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [open, setOpen] = useState<Publication | null>(null);
  const paging = usePaging();
  const query = new URLSearchParams({
    ...paging.params,
    ...(status ? { status } : {}),
    ...(kind ? { kind } : {}),
  }).toString();
  const publications = usePublications(id, query);
  const filtered = Boolean(status || kind);
  const filters = (
    <Group gap="xs">
      <NativeSelect
        size="xs"
        aria-label="Status"
        value={status}
        onChange={(e) => {
          setStatus(e.currentTarget.value);
          paging.restart();
        }}
        data={[
          { value: '', label: 'Any status' },
          ...PUBLICATION_STATUSES.map((v) => ({ value: v, label: v })),
        ]}
        data-testid="publications-status"
      />
      <NativeSelect
        size="xs"
        aria-label="Type"
        value={kind}
        onChange={(e) => {
          setKind(e.currentTarget.value);
          paging.restart();
        }}
        data={[
          { value: '', label: 'Any type' },
          ...OUTBOUND_KINDS.map((v) => ({ value: v, label: v })),
        ]}
        data-testid="publications-kind"
      />
    </Group>
  );
  return (
    <Card title="Publications" testId="publications" extra={filters}>
      <PagedQuery
        query={publications}
        paging={paging}
        noun="publications"
        testId="publications"
        empty={
          filtered
            ? { title: 'No publications match these filters' }
            : { title: 'No publications', description: 'Nothing has been sent to this peer yet.' }
        }
      >
        {(items) => (
          <Table.ScrollContainer minWidth={720}>
            <Table data-testid="publications-table" verticalSpacing={4} fz="xs" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w="17%">Type</Table.Th>
                  <Table.Th w="16%">Request id</Table.Th>
                  <Table.Th w={84}>Attempts</Table.Th>
                  <Table.Th w="18%">Status</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th w="17%">Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((p) => (
                  <PublicationRow key={p.id} p={p} timeZone={timeZone} onOpen={() => setOpen(p)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedQuery>
      {open && (
        <PublicationDetailModal
          publication={open}
          timeZone={timeZone}
          onClose={() => setOpen(null)}
        />
      )}
    </Card>
  );
}
