import { Modal, SimpleGrid, Stack } from '@mantine/core';
import type { Publication } from '../../api/types';
import { Field, SubTitle, when } from './CardParts';
import { MessageBody } from './MessageBody';
import { PublicationBadge } from './StateBadges';

/** One message we sent the peer: its headers' ids, how delivery went, and its body as sent. */
export function PublicationDetailModal({
  publication: p,
  timeZone,
  onClose,
}: {
  publication: Publication;
  timeZone: string | undefined;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={onClose} title={p.kind} size="lg">
      <Stack gap="sm" data-testid="publication-detail" data-kind={p.kind}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Field label="X-Request-ID">{p.requestId}</Field>
          <Field label="X-Correlation-ID">{p.correlationId ?? '—'}</Field>
          <Field label="Status">
            <PublicationBadge status={p.status} />
          </Field>
          <Field label="Attempts">
            {p.attempts} of {p.maxAttempts}
          </Field>
          <Field label="Written">{when(p.createdAt, timeZone)}</Field>
          <Field label="Delivered">{when(p.deliveredAt, timeZone)}</Field>
          <Field label="Last answer">
            {p.lastHttpStatus ? `HTTP ${p.lastHttpStatus}` : '—'}
            {p.lastError ? `: ${p.lastError}` : ''}
          </Field>
          <Field label="Sent to">{p.lastUrl ?? '—'}</Field>
        </SimpleGrid>
        <SubTitle>Body</SubTitle>
        <MessageBody body={p.body} testId="publication-body" />
      </Stack>
    </Modal>
  );
}
