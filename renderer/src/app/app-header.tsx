import { ActionIcon, Badge, Group, Text, Title, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useCall } from '../api/queries';
import { AutoIcon, ModelsIcon, MoonIcon, SunIcon } from '../components/icons';
import { JobIndicator } from './job-indicator';

export function AppHeader() {
  const info = useCall('app.info', {});
  return (
    <Group h="100%" px="md" gap="md" wrap="nowrap" justify="space-between">
      <Group gap="sm" wrap="nowrap" miw={0}>
        <Group gap={6} wrap="nowrap" c="teal">
          <ModelsIcon size={20} />
          <Title order={2} size="h4" c="var(--mantine-color-text)">
            EdgeFleet
          </Title>
        </Group>
        {info.data && (
          <>
            <Badge variant="default" size="sm" tt="none" data-testid="app-version">
              v{info.data.version}
            </Badge>
            <Badge variant="light" color="gray" size="sm">
              {info.data.shell === 'web' ? 'web console' : 'desktop'}
            </Badge>
            <Tooltip label={`Data directory: ${info.data.dataDir}`} openDelay={400}>
              <Text size="xs" c="dimmed" truncate="start" maw={360} ff="monospace" data-testid="app-data-dir">
                {/* bdi: the start-truncation uses rtl, which would otherwise move the leading "/" to the end. */}
                <bdi>{info.data.dataDir}</bdi>
              </Text>
            </Tooltip>
          </>
        )}
        {info.error && (
          <Text size="xs" c="red" data-testid="app-info-error">
            Cannot read app info: {info.error.message}
          </Text>
        )}
      </Group>
      <Group gap="sm" wrap="nowrap">
        <JobIndicator />
        <ColorSchemeToggle />
      </Group>
    </Group>
  );
}

const schemeCycle = { auto: 'light', light: 'dark', dark: 'auto' } as const;
const schemeLabel = { auto: 'follows the system', light: 'light', dark: 'dark' } as const;

/** Follows the OS by default; one button cycles auto → light → dark for people who want to pin it. */
function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const label = `Theme: ${schemeLabel[colorScheme]} (click to change)`;
  const SchemeIcon = colorScheme === 'light' ? SunIcon : colorScheme === 'dark' ? MoonIcon : AutoIcon;
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="md"
        aria-label={label}
        onClick={() => setColorScheme(schemeCycle[colorScheme])}
      >
        <SchemeIcon size={16} />
      </ActionIcon>
    </Tooltip>
  );
}
