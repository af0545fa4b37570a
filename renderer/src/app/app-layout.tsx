import { AppShell, NavLink, ScrollArea, Text } from '@mantine/core';
import type { MouseEvent } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { AppHeader } from './app-header';
import { sections } from './sections';

export function AppLayout() {
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 196, breakpoint: 0 }} padding="md">
      {/* First tab stop: keyboard users can jump past the navbar. */}
      <a className="skip-link" href="#main" onClick={focusMain}>
        Skip to content
      </a>
      <AppShell.Header>
        <AppHeader />
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          <nav aria-label="Sections">
            {sections.map((section) => {
              const active = pathname === `/${section.path}` || pathname.startsWith(`/${section.path}/`);
              const SectionIcon = section.icon;
              return (
                <NavLink
                  key={section.path}
                  component={Link}
                  to={`/${section.path}`}
                  label={section.label}
                  leftSection={<SectionIcon size={16} />}
                  rightSection={
                    section.built ? undefined : (
                      <Text size="xs" c="dimmed">
                        soon
                      </Text>
                    )
                  }
                  active={active}
                  aria-current={active ? 'page' : undefined}
                  variant="light"
                  data-testid={`nav-${section.path}`}
                  styles={{ root: { borderRadius: 'var(--mantine-radius-sm)' } }}
                />
              );
            })}
          </nav>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

/** With HashRouter, `#main` would be read as a route; move focus by hand instead. */
function focusMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
