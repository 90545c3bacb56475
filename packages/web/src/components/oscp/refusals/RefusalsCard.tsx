import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useCursorPages } from '../../paging/useCursorPages';
import { Card } from '../CardParts';
import { RefusalPages } from './RefusalPages';

/** The calls of this connection's peer we refused, newest first, with the way to the whole log. */
export function RefusalsCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const pages = useCursorPages();
  return (
    <Card
      title="Refused calls from the peer"
      testId="connection-refusals"
      extra={
        <Anchor
          component={Link}
          to={`/refusals?connectionId=${id}`}
          size="xs"
          data-testid="all-refusals-link"
        >
          Open in the refusal log
        </Anchor>
      }
    >
      <RefusalPages
        filter={{ connectionId: id }}
        pages={pages}
        pageSize={5}
        timeZone={timeZone}
        empty={{
          title: 'No refused calls',
          description:
            'Calls refused before a connection could be named (an unknown token, say) are in the refusal log.',
        }}
      />
    </Card>
  );
}
