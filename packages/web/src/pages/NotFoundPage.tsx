import { Button } from '@mantine/core';
import { Link } from 'react-router-dom';
import { Empty } from '../components/States';

export function NotFoundPage() {
  return (
    <Empty
      testId="not-found"
      title="Page not found"
      description="There is nothing at this address."
      action={
        <Button component={Link} to="/" variant="light" size="xs">
          Back to the depot
        </Button>
      }
    />
  );
}
