import {
  ActionIcon,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import type { SchemaForm } from '../../forms/schema-form';
import { IconTrash } from '../icons';
import type { envelopeRequest, EnvelopeValues } from './envelope-request';

/** One block of the envelope form: its span, its limit and unit, and a way to remove it. */
export function EnvelopeBlockFields({
  form,
  index,
  removable,
}: {
  form: SchemaForm<EnvelopeValues, typeof envelopeRequest>;
  index: number;
  removable: boolean;
}) {
  const path = `blocks.${index}`;
  // A limit's unit error and value error both belong under the number.
  const limitError = form.errors[`${path}.importLimit.value`] ?? form.errors[`${path}.importLimit`];
  return (
    <Paper p="xs" bg="gray.0" data-testid="envelope-block">
      <Group align="flex-start" gap="sm" wrap="wrap">
        <Text size="xs" c="dimmed" fw={600} pt={30} w={52}>
          Block {index + 1}
        </Text>
        <TextInput
          type="datetime-local"
          label="Start"
          {...form.getInputProps(`${path}.start`)}
          data-testid="envelope-block-start"
          w={210}
        />
        <TextInput
          type="datetime-local"
          label="End"
          {...form.getInputProps(`${path}.end`)}
          data-testid="envelope-block-end"
          w={210}
        />
        <NumberInput
          label="Import limit"
          min={0}
          decimalScale={1}
          {...form.getInputProps(`${path}.importLimit.value`)}
          error={limitError}
          data-testid="envelope-limit"
          w={130}
          hideControls
        />
        <NativeSelect
          label="Unit"
          data={[
            { value: 'A', label: 'A' },
            { value: 'KW', label: 'kW' },
          ]}
          {...form.getInputProps(`${path}.importLimit.unit`)}
          data-testid="envelope-unit"
          w={80}
        />
        {removable && (
          <Tooltip label="Remove this block" withArrow>
            <ActionIcon
              variant="subtle"
              color="gray"
              mt={28}
              aria-label={`Remove block ${index + 1}`}
              onClick={() => form.removeListItem('blocks', index)}
              data-testid="envelope-remove-block"
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
    </Paper>
  );
}
