import { Group, Text } from '@mantine/core';
import { useState } from 'react';
import { useOperatorMessageOffers } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { PermittedButton } from '../PermittedButton';
import { RefreshError } from '../States';
import { AdjustmentModal } from './AdjustmentModal';
import { Card } from './CardParts';
import { ComplianceModal } from './ComplianceModal';

type Sending = 'adjustment' | 'compliance' | null;

/**
 * What an operator can tell the Capacity Provider by hand. The server says what is offered now
 * and why not (no accepted forecast in force, not handshaken); a disabled button shows that reason.
 */
export function PeerMessagesCard({ c, manage }: { c: ConnectionDetail; manage: boolean }) {
  const [sending, setSending] = useState<Sending>(null);
  const offers = useOperatorMessageOffers(c.id);
  const loading = 'Checking what can be sent…';
  const adjustment = offers.data?.adjustment;
  const compliance = offers.data?.complianceError;
  return (
    <Card title="Messages to the Capacity Provider" testId="peer-messages">
      <Text size="sm" c="dimmed" mb="sm">
        Ask for more or less capacity in a period of an accepted forecast, or report that one cannot
        be met. Each is correlated to its forecast, sent like any other message and listed under
        Publications.
      </Text>
      {offers.isError && <RefreshError error={offers.error} />}
      <Group gap="sm">
        <PermittedButton
          allowed={manage && Boolean(adjustment?.offered)}
          reason={!manage ? NEEDS_MANAGER : (adjustment?.reason ?? loading)}
          variant="light"
          onClick={() => setSending('adjustment')}
          data-testid="request-adjustment"
        >
          Request an adjustment
        </PermittedButton>
        <PermittedButton
          allowed={manage && Boolean(compliance?.offered)}
          reason={!manage ? NEEDS_MANAGER : (compliance?.reason ?? loading)}
          variant="light"
          color="orange"
          onClick={() => setSending('compliance')}
          data-testid="report-compliance-error"
        >
          Report non-compliance
        </PermittedButton>
      </Group>
      {manage && adjustment && !adjustment.offered && (
        <Text size="xs" c="dimmed" mt="xs" data-testid="adjustment-unavailable">
          {adjustment.reason}
        </Text>
      )}
      {sending === 'adjustment' && adjustment && (
        <AdjustmentModal
          id={c.id}
          forecasts={adjustment.forecasts}
          onClose={() => setSending(null)}
        />
      )}
      {sending === 'compliance' && compliance?.forecast && (
        <ComplianceModal
          id={c.id}
          forecast={compliance.forecast}
          onClose={() => setSending(null)}
        />
      )}
    </Card>
  );
}
