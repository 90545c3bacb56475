import {
  Button,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oscpApi, oscpKeys, type ConnectionDetail } from '../../api/oscp';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { PermittedButton } from '../PermittedButton';
import { FormError } from '../States';
import { Card } from './ConnectionSections';

type Sending = 'adjustment' | 'compliance' | null;

/** Whether the peer will take business messages: handshaken, with no re-handshake pending. */
function readyForBusiness(c: ConnectionDetail): boolean {
  return (
    c.enabled &&
    ['HANDSHAKEN', 'ONLINE', 'OFFLINE'].includes(c.lifecycle.phase) &&
    !c.lifecycle.handshake.required
  );
}

/** A `datetime-local` value (the browser's zone) as an ISO instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : '');

function sentNotice(what: string, requestId: string) {
  notifications.show({
    color: 'teal',
    title: `${what} sent`,
    message: `Request id ${requestId}; its delivery shows under Publications.`,
  });
}

function AdjustmentModal({ id, onClose }: { id: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [type, setType] = useState('CONSUMPTION');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [capacity, setCapacity] = useState<number | string>('');
  const [unit, setUnit] = useState<'A' | 'W' | 'KW'>('A');
  const send = useMutation({
    mutationFn: () =>
      oscpApi.requestAdjustment(id, {
        type,
        blocks: [
          {
            start: instant(start),
            end: instant(end),
            capacity: Number(capacity),
            unit,
            phase: 'ALL',
          },
        ],
      }),
    onSuccess: async (sent) => {
      sentNotice('Adjustment request', sent.requestId);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>Request a forecast adjustment</Text>}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Asks the Capacity Provider for a different capacity in one period
          (AdjustGroupCapacityForecast). It answers, if it agrees, with a new forecast. Times are in
          your browser&apos;s time zone.
        </Text>
        <NativeSelect
          label="Forecast type"
          data={['CONSUMPTION', 'GENERATION', 'FALLBACK_CONSUMPTION', 'FALLBACK_GENERATION']}
          value={type}
          onChange={(e) => setType(e.currentTarget.value)}
        />
        <Group grow>
          <TextInput
            type="datetime-local"
            label="From"
            value={start}
            onChange={(e) => setStart(e.currentTarget.value)}
            data-testid="adjustment-start"
          />
          <TextInput
            type="datetime-local"
            label="Until"
            value={end}
            onChange={(e) => setEnd(e.currentTarget.value)}
            data-testid="adjustment-end"
          />
        </Group>
        <Group grow>
          <NumberInput
            label="Capacity"
            min={0}
            value={capacity}
            onChange={setCapacity}
            data-testid="adjustment-capacity"
          />
          <NativeSelect
            label="Unit"
            data={[
              { value: 'A', label: 'A per phase' },
              { value: 'W', label: 'W' },
              { value: 'KW', label: 'kW' },
            ]}
            value={unit}
            onChange={(e) => setUnit(e.currentTarget.value as 'A' | 'W' | 'KW')}
          />
        </Group>
        <FormError error={send.error} testId="adjustment-error" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            onClick={() => send.mutate()}
            loading={send.isPending}
            disabled={!start || !end || capacity === ''}
            data-testid="send-adjustment"
          >
            Send to the Capacity Provider
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ComplianceModal({ c, onClose }: { c: ConnectionDetail; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const last = c.control.lastForecast;
  const send = useMutation({
    mutationFn: () => oscpApi.reportComplianceError(c.id, { message }),
    onSuccess: async (sent) => {
      sentNotice('Compliance error', sent.requestId);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      onClose();
    },
  });
  return (
    <Modal
      opened
      onClose={onClose}
      title={<Text fw={600}>Report that a forecast cannot be met</Text>}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Tells the Capacity Provider the depot cannot keep to its last forecast
          {last ? ` (${last.type}, received ${new Date(last.at).toLocaleString()})` : ''}
          (GroupCapacityComplianceError).
        </Text>
        <Textarea
          label="What cannot be met, and why"
          autosize
          minRows={3}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
          data-testid="compliance-message"
        />
        <FormError error={send.error} testId="compliance-error" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="orange"
            onClick={() => send.mutate()}
            loading={send.isPending}
            disabled={message.trim() === ''}
            data-testid="send-compliance-error"
          >
            Send to the Capacity Provider
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** What an operator can tell the Capacity Provider by hand. */
export function PeerMessagesCard({ c, manage }: { c: ConnectionDetail; manage: boolean }) {
  const [sending, setSending] = useState<Sending>(null);
  const ready = readyForBusiness(c);
  const reason = !manage
    ? NEEDS_MANAGER
    : 'Messages go to the Capacity Provider once the connection is handshaken.';
  return (
    <Card title="Messages to the Capacity Provider" testId="peer-messages">
      <Text size="sm" c="dimmed" mb="sm">
        Ask for more or less capacity in a period, or report that a forecast cannot be met. Each is
        sent like any other message and listed under Publications.
      </Text>
      <Group gap="sm">
        <PermittedButton
          allowed={manage && ready}
          reason={reason}
          variant="light"
          onClick={() => setSending('adjustment')}
          data-testid="request-adjustment"
        >
          Request an adjustment
        </PermittedButton>
        <PermittedButton
          allowed={manage && ready && c.control.lastForecast !== null}
          reason={ready && manage ? 'No forecast has been received yet.' : reason}
          variant="light"
          color="orange"
          onClick={() => setSending('compliance')}
          data-testid="report-compliance-error"
        >
          Report non-compliance
        </PermittedButton>
      </Group>
      {sending === 'adjustment' && <AdjustmentModal id={c.id} onClose={() => setSending(null)} />}
      {sending === 'compliance' && <ComplianceModal c={c} onClose={() => setSending(null)} />}
    </Card>
  );
}
