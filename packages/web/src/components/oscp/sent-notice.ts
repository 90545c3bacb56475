import { notifications } from '@mantine/notifications';

/** Where to find a message an operator sent: its request id, under Publications. */
export function sentNotice(what: string, requestId: string) {
  notifications.show({
    color: 'teal',
    title: `${what} sent`,
    message: `Request id ${requestId}; its delivery shows under Publications.`,
  });
}
