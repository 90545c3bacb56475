import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { IconAlert } from '../icons';

export function CopyValue({ value, testId }: { value: string; testId?: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Code data-testid={testId} style={{ wordBreak: 'break-all' }}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="light" color={copied ? 'teal' : 'blue'} onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

export interface Issued {
  title: string;
  values: { label: string; value: string }[];
}

/** Credentials we just issued: shown this once, never retrievable again. */
export function OneTimeSecret({
  issued,
  onDismiss,
  note = 'Hand these to the Capacity Provider over a secure channel. Openvelope keeps only a hash; if they are lost, issue new ones (the old ones then stop working).',
}: {
  issued: Issued;
  onDismiss: () => void;
  /** What the values are for and what happens if they are lost. */
  note?: string;
}) {
  return (
    // Orange, not yellow: yellow is reserved for fallback mode.
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlert />}
      title={`${issued.title}: shown only once, store it now`}
      data-testid="one-time-secret"
    >
      <Stack gap={6}>
        <Text size="xs" data-testid="one-time-secret-note">
          {note}
        </Text>
        {issued.values.map((v) => (
          <Stack key={v.label} gap={0}>
            <Text size="xs" fw={600}>
              {v.label}
            </Text>
            <CopyValue value={v.value} testId="one-time-secret-value" />
          </Stack>
        ))}
        <Group>
          <Button
            size="xs"
            variant="white"
            color="orange"
            onClick={onDismiss}
            data-testid="one-time-secret-stored"
          >
            I have stored it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
