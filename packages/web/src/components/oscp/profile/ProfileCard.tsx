import { Badge, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { usePresets } from '../../../api/oscp';
import type { ConnectionDetail } from '../../../api/types';
import { Card, SubTitle } from '../CardParts';
import { profileSections, type ProfileRow } from './profile-rows';

function Row({ row }: { row: ProfileRow }) {
  return (
    <Stack gap={0} data-testid="profile-field" data-field={row.field}>
      <Text size="xs" c="dimmed">
        {row.label}
      </Text>
      <Group gap={6} wrap="nowrap">
        <Text size="sm" style={{ wordBreak: 'break-all' }} data-testid="profile-value">
          {row.value}
        </Text>
        {row.isDefault && (
          <Badge
            size="xs"
            color="gray"
            variant="outline"
            radius="sm"
            tt="none"
            data-testid="profile-default"
          >
            default
          </Badge>
        )}
      </Group>
      {row.explanation && (
        <Text size="xs" c="dimmed">
          {row.explanation}
        </Text>
      )}
    </Stack>
  );
}

/**
 * The connection's whole profile, read-only, grouped as the form groups it; a value equal to its
 * preset's default says so, so what was set for this peer stands out.
 */
export function ProfileCard({ c }: { c: ConnectionDetail }) {
  const presets = usePresets();
  const defaults = presets.data?.presets.find((p) => p.id === c.preset)?.defaults;
  return (
    <Card title="Profile" testId="profile">
      <Stack gap="sm">
        {profileSections(c.profile, defaults).map((section) => (
          <Stack key={section.title} gap={4}>
            <SubTitle>{section.title}</SubTitle>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm" verticalSpacing="xs">
              {section.rows.map((row) => (
                <Row key={row.field} row={row} />
              ))}
            </SimpleGrid>
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
