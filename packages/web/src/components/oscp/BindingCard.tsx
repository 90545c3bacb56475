import { Anchor, Badge, Group, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { ConnectionDetail } from '../../api/types';
import { Card } from './CardParts';

export function BindingCard({ c }: { c: ConnectionDetail }) {
  const b = c.binding;
  return (
    <Card title="Binding" testId="binding">
      <Group gap="xs" wrap="wrap">
        <Badge variant="light" color="gray" radius="sm" tt="none" data-testid="binding-group">
          group {b.groupId}
        </Badge>
        <Text c="dimmed">→</Text>
        {b.microgrid ? (
          <Anchor component={Link} to="/" size="sm" data-testid="binding-microgrid">
            {b.microgrid.name}
          </Anchor>
        ) : (
          <Text size="sm" c="orange.8">
            microgrid not found
          </Text>
        )}
        <Text c="dimmed">→</Text>
        <Text size="sm" data-testid="binding-scope">
          {b.scope?.name ?? 'scope not found'}
        </Text>
        <Text c="dimmed">→</Text>
        {b.circuit ? (
          <Anchor
            component={Link}
            to={`/circuits/${b.circuit.id}`}
            size="sm"
            data-testid="binding-circuit"
          >
            {b.circuit.name}
          </Anchor>
        ) : (
          <Tooltip
            label="Forecasts cannot be applied: the scope must map to exactly one circuit. Fix it in Depot model."
            withArrow
            multiline
            w={300}
          >
            <Text size="sm" c="orange.8" data-testid="binding-circuit-missing">
              no single circuit
            </Text>
          </Tooltip>
        )}
      </Group>
    </Card>
  );
}
