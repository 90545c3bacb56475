import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Stack,
  Text,
  ThemeIcon,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState, type ReactNode } from 'react';
import { NavLink as RouterNavLink, Outlet, useLocation } from 'react-router-dom';
import { errorDetail } from '../api/client';
import { useUnacknowledgedCount } from '../api/notifications';
import { useUser, useAuth } from '../auth/context';
import { canManage, isAdmin } from '../auth/permissions';
import { RoleBadge } from './badges';
import {
  IconBan,
  IconBell,
  IconBolt,
  IconDepot,
  IconKey,
  IconLock,
  IconLogout,
  IconModel,
  IconPlug,
  IconUsers,
} from './icons';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  testId: string;
  end?: boolean;
  badge?: ReactNode;
}

export function AppLayout() {
  const user = useUser();
  const { signOut } = useAuth();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const [signingOut, setSigningOut] = useState(false);
  const unacknowledged = useUnacknowledgedCount();

  const items: NavItem[] = [
    { to: '/', label: 'Depot', icon: <IconDepot />, testId: 'nav-depot', end: true },
    { to: '/model', label: 'Depot model', icon: <IconModel />, testId: 'nav-model' },
    {
      to: '/connections',
      label: 'OSCP connections',
      icon: <IconPlug />,
      testId: 'nav-connections',
    },
    {
      to: '/refusals',
      label: 'Refused calls',
      icon: <IconBan />,
      testId: 'nav-refusals',
    },
    {
      to: '/notifications',
      label: 'Notifications',
      icon: <IconBell />,
      testId: 'nav-notifications',
      badge: unacknowledged ? (
        <Badge size="sm" color="blue" variant="filled" data-testid="nav-unacknowledged">
          {unacknowledged}
        </Badge>
      ) : undefined,
    },
    ...(canManage(user.role)
      ? [{ to: '/secrets', label: 'Secrets', icon: <IconLock />, testId: 'nav-secrets' }]
      : []),
    ...(isAdmin(user.role)
      ? [{ to: '/users', label: 'Users', icon: <IconUsers />, testId: 'nav-users' }]
      : []),
    { to: '/tokens', label: 'API tokens', icon: <IconKey />, testId: 'nav-tokens' },
  ];

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut(); // the route guard then shows the sign-in page
    } catch (error) {
      notifications.show({ color: 'red', title: 'Sign-out failed', message: errorDetail(error) });
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <ThemeIcon variant="filled" color="blue" size={28} radius="sm">
              <IconBolt size={16} />
            </ThemeIcon>
            <Text fw={700} size="lg" data-testid="product-name">
              Openvelope
            </Text>
            <Text size="xs" c="dimmed" visibleFrom="md">
              OSCP 2.0 Flexibility Provider · depot console
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" fw={500} data-testid="current-user">
              {user.username}
            </Text>
            <RoleBadge role={user.role} />
            <Button
              variant="subtle"
              color="gray"
              size="xs"
              leftSection={<IconLogout size={16} />}
              onClick={() => void onSignOut()}
              loading={signingOut}
              data-testid="sign-out"
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs">
        <Stack gap={2}>
          {items.map((item) => (
            <NavLink
              key={item.to}
              component={RouterNavLink}
              to={item.to}
              end={item.end}
              label={item.label}
              leftSection={item.icon}
              rightSection={item.badge}
              aria-label={
                item.badge && unacknowledged
                  ? `${item.label} (${unacknowledged} unacknowledged)`
                  : undefined
              }
              data-testid={item.testId}
              onClick={close}
              active={
                item.end
                  ? location.pathname === item.to || location.pathname.startsWith('/circuits/')
                  : location.pathname.startsWith(item.to)
              }
            />
          ))}
        </Stack>
      </AppShell.Navbar>

      <AppShell.Main bg="gray.0">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
