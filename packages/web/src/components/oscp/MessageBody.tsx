import { Code, ScrollArea } from '@mantine/core';

/** An OSCP message body as it was sent, indented; secrets appear only as their references. */
export function MessageBody({ body, testId }: { body: unknown; testId?: string }) {
  return (
    <ScrollArea.Autosize mah={360}>
      <Code block fz="xs" data-testid={testId} style={{ whiteSpace: 'pre-wrap' }}>
        {JSON.stringify(body, null, 2)}
      </Code>
    </ScrollArea.Autosize>
  );
}
