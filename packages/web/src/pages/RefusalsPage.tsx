import { Group, NativeSelect, Paper, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useConnectionNames } from '../api/oscp';
import { PageHeader } from '../components/PageHeader';
import { RefusalPages } from '../components/oscp/refusals/RefusalPages';
import { useCursorPages } from '../components/paging/useCursorPages';

/**
 * The refusal log: every inbound OSCP call we refused, including those no connection could be
 * named for (an unknown token), filtered by connection or source address.
 */
export function RefusalsPage() {
  const [params, setParams] = useSearchParams();
  const connectionId = params.get('connectionId') ?? '';
  const [source, setSource] = useState(params.get('source') ?? '');
  const [typedSource] = useDebouncedValue(source.trim(), 300);
  const pages = useCursorPages();
  // Deleted connections too: their refusals stay in the log.
  const connections = useConnectionNames();
  const names = useMemo(
    () => new Map((connections.data?.connections ?? []).map((c) => [c.id, c.displayName])),
    [connections.data],
  );

  const setFilter = (key: 'connectionId' | 'source', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
    pages.restart();
  };
  const filter = {
    ...(connectionId ? { connectionId } : {}),
    ...(typedSource ? { source: typedSource } : {}),
  };
  const filtered = Object.keys(filter).length > 0;

  return (
    <>
      <PageHeader
        title="Refused calls"
        subtitle="Inbound OSCP calls we refused, newest first: alike refusals within a minute fold into one row; kept for the record retention period."
      />
      <Paper p="md">
        <Group gap="sm" mb="sm" align="flex-end">
          <NativeSelect
            size="xs"
            label="Connection"
            value={connectionId}
            onChange={(e) => setFilter('connectionId', e.currentTarget.value)}
            data={[
              { value: '', label: 'Any (or none matched)' },
              ...(connections.data?.connections ?? []).map((c) => ({
                value: c.id,
                label: c.deletedAt ? `${c.displayName} (deleted)` : c.displayName,
              })),
            ]}
            data-testid="refusals-connection"
          />
          <TextInput
            size="xs"
            label="Source address"
            placeholder="e.g. 203.0.113.7"
            value={source}
            maxLength={100}
            onChange={(e) => {
              setSource(e.currentTarget.value);
              setFilter('source', e.currentTarget.value.trim());
            }}
            data-testid="refusals-source"
          />
          <Text size="xs" c="dimmed">
            Times in your browser’s time zone.
          </Text>
        </Group>
        <RefusalPages
          filter={filter}
          pages={pages}
          pageSize={50}
          timeZone={undefined}
          connectionNames={names}
          empty={
            filtered
              ? { title: 'No refused calls match these filters' }
              : {
                  title: 'No refused calls',
                  description: 'Every inbound OSCP call was accepted.',
                }
          }
        />
      </Paper>
    </>
  );
}
