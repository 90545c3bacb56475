import { Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { ConnectionDetail } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { PermittedButton } from '../PermittedButton';
import { AdjustmentModal } from './AdjustmentModal';
import { Card } from './CardParts';
import { ComplianceModal } from './ComplianceModal';

type Sending = 'adjustment' | 'compliance' | null;

/** Whether the peer will take business messages: handshaken, with no re-handshake pending. */
function readyForBusiness(c: ConnectionDetail): boolean {
  return (
    c.enabled &&
    ['HANDSHAKEN', 'ONLINE', 'OFFLINE'].includes(c.lifecycle.phase) &&
    !c.lifecycle.handshake.required
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
