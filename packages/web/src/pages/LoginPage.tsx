import {
  Alert,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { loginBody } from '@openvelope/server/auth-contract';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { errorDetail } from '../api/client';
import { useAuth } from '../auth/context';
import { IconBolt } from '../components/icons';
import { LoadingState } from '../components/States';
import { useSchemaForm } from '../forms/schema-form';

/** Only same-origin paths are followed after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { user, signIn, endedBy } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const form = useSchemaForm({
    initialValues: { username: '', password: '' },
    schema: loginBody,
    toRequest: (v) => ({ username: v.username.trim(), password: v.password }),
  });
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  if (user === undefined) {
    return (
      <Center h="100vh">
        <LoadingState label="Checking your session…" />
      </Center>
    );
  }
  if (user && !submitting) return <Navigate to={next} replace />;

  const onSubmit = async ({ username, password }: { username: string; password: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      await signIn(username, password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(e);
      form.setFieldValue('password', '');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper w={380} p="xl" shadow="xs">
        <form onSubmit={form.onSubmit((request) => void onSubmit(request))} noValidate>
          <Stack gap="md">
            <Group gap="sm">
              <ThemeIcon variant="filled" color="blue" size={34} radius="sm">
                <IconBolt size={20} />
              </ThemeIcon>
              <div>
                <Title order={3}>Openvelope</Title>
                <Text size="xs" c="dimmed">
                  Depot charging · OSCP 2.0 Flexibility Provider
                </Text>
              </div>
            </Group>
            <Text size="sm" c="dimmed">
              Sign in to the operator console.
            </Text>
            {endedBy === 'server' && error === null && (
              <Alert color="blue" variant="light" data-testid="login-notice" p="xs">
                <Text size="sm">Your session has ended. Sign in again to continue.</Text>
              </Alert>
            )}
            {error !== null && (
              <Alert color="red" variant="light" data-testid="login-error" role="alert" p="xs">
                <Text size="sm">{errorDetail(error)}</Text>
              </Alert>
            )}
            <TextInput
              label="Username"
              name="username"
              autoComplete="username"
              autoFocus
              {...form.getInputProps('username')}
              data-testid="login-username"
              required
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              {...form.getInputProps('password')}
              data-testid="login-password"
              required
            />
            <Button type="submit" loading={submitting} data-testid="login-submit" fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
