import { Alert, Badge, Group, List, Stack, Text } from '@mantine/core';
import type { AutoReport } from '../../../../shared/schemas/optimize';
import { AlertIcon, CheckIcon } from '../icons';
import { stoppedEarlyText, toneColor, toneTitle, verdictTone } from './auto-report-model';

/** The search's answer in plain words, first: what to use and why; orange or red when it is not a variant. */
export function AutoVerdict({ report }: { report: AutoReport }) {
  const tone = verdictTone(report);
  const Icon = tone === 'recommended' ? CheckIcon : AlertIcon;
  return (
    <Alert
      color={toneColor[tone]}
      variant="light"
      icon={<Icon size={18} />}
      title={toneTitle[tone]}
      p="xs"
      data-testid="auto-verdict"
      data-tone={tone}
    >
      <Stack gap={4}>
        <Text size="sm" data-testid="auto-verdict-text">
          {report.verdict}
        </Text>
        <Group gap={6}>
          <Badge size="sm" variant="outline" color="gray" tt="none">
            goal {report.goal}
          </Badge>
          {report.target !== 'this-machine' && (
            <Badge size="sm" variant="outline" color="gray" tt="none">
              target {report.target}
            </Badge>
          )}
          {report.stoppedEarly && (
            <Badge size="sm" color="orange" tt="none" data-testid="auto-stopped-early">
              stopped early: {report.stoppedEarly}
            </Badge>
          )}
        </Group>
      </Stack>
    </Alert>
  );
}

/** Where and how every figure was measured, and what the search wants the user to know. */
export function AutoProvenance({ report }: { report: AutoReport }) {
  const seconds = report.searchMs / 1000;
  return (
    <Stack gap={6} data-testid="auto-provenance">
      <Text size="xs" data-testid="auto-measured-on">
        <Text span fw={600} size="xs">
          Measured on{' '}
        </Text>
        {report.measuredOn}
      </Text>
      <Text size="xs" c="dimmed" data-testid="auto-search-stats">
        Search took {seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`}, peak
        memory {report.peakRssMb} MB, fidelity scored on {report.scoringSamples}{' '}
        {report.scoringSamples === 1 ? 'sample' : 'samples'}.
      </Text>
      {report.stoppedEarly && (
        <Text size="xs" c="orange.8" data-testid="auto-stopped-early-text">
          {stoppedEarlyText[report.stoppedEarly]}
        </Text>
      )}
      {report.notes.length > 0 && (
        <List size="xs" spacing={2} data-testid="auto-notes">
          {report.notes.map((note) => (
            <List.Item key={note} data-testid="auto-note">
              {note}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}
