import { Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { complianceErrorBody, type ComplianceErrorBody } from '../../api/awaiting';
import { oscpApi, oscpKeys } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { formatDateTime } from '../../format';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormModal, ModalForm } from '../FormModal';
import { sentNotice } from './sent-notice';

/** Tell the Capacity Provider the depot cannot keep to its last forecast. */
export function ComplianceModal({ c, onClose }: { c: ConnectionDetail; onClose: () => void }) {
  return (
    <FormModal opened onClose={onClose} title="Report that a forecast cannot be met">
      <ComplianceForm c={c} onClose={onClose} />
    </FormModal>
  );
}

function ComplianceForm({ c, onClose }: { c: ConnectionDetail; onClose: () => void }) {
  const queryClient = useQueryClient();
  const last = c.control.lastForecast;
  const form = useSchemaForm({
    initialValues: { message: '' },
    schema: complianceErrorBody,
    toRequest: (v) => v,
  });
  const send = useMutation({
    mutationFn: (body: ComplianceErrorBody) => oscpApi.reportComplianceError(c.id, body),
    onSuccess: async (sent) => {
      sentNotice('Compliance error', sent.requestId);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      onClose();
    },
  });
  return (
    <ModalForm
      onSubmit={submitTo(form, send.mutate)}
      onCancel={onClose}
      pending={send.isPending}
      error={send.error}
      errorTestId="compliance-error"
      submitLabel="Send to the Capacity Provider"
      submitTestId="send-compliance-error"
      submitColor="orange"
    >
      <Text size="sm" c="dimmed">
        Tells the Capacity Provider the depot cannot keep to its last forecast
        {last ? ` (${last.type}, received ${formatDateTime(last.at)})` : ''}
        (GroupCapacityComplianceError).
      </Text>
      <Textarea
        label="What cannot be met, and why"
        autosize
        minRows={3}
        {...form.getInputProps('message')}
        data-testid="compliance-message"
      />
    </ModalForm>
  );
}
