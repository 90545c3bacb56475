import { Text, Textarea } from '@mantine/core';
import { complianceErrorBody } from '@openvelope/server/oscp-contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { oscpApi, oscpKeys } from '../../api/oscp';
import type { ComplianceErrorBody, OperatorMessageOffers } from '../../api/types';
import { formatDateTime } from '../../format';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormModal, ModalForm } from '../FormModal';
import { sentNotice } from './sent-notice';

type Forecast = NonNullable<OperatorMessageOffers['complianceError']['forecast']>;

/** Tell the Capacity Provider the depot cannot keep to the accepted forecast in force. */
export function ComplianceModal({
  id,
  forecast,
  onClose,
}: {
  id: string;
  forecast: Forecast;
  onClose: () => void;
}) {
  return (
    <FormModal opened onClose={onClose} title="Report that a forecast cannot be met">
      <ComplianceForm id={id} forecast={forecast} onClose={onClose} />
    </FormModal>
  );
}

function ComplianceForm({
  id,
  forecast,
  onClose,
}: {
  id: string;
  forecast: Forecast;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { message: '' },
    schema: complianceErrorBody,
    // Named explicitly: the report is about the forecast shown, even if another arrives meanwhile.
    toRequest: (v) => ({ ...v, forecastRequestId: forecast.requestId }),
  });
  const send = useMutation({
    mutationFn: (body: ComplianceErrorBody) => oscpApi.reportComplianceError(id, body),
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
      <Text size="sm" c="dimmed" data-testid="compliance-forecast">
        Tells the Capacity Provider the depot cannot keep to its accepted {forecast.type} forecast
        received {formatDateTime(forecast.at)} (GroupCapacityComplianceError, correlated to it).
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
