import { Badge, Checkbox, Group, Stack, Table, Text } from '@mantine/core';
import { guiWords } from '../../lib/gui-words';
import { matchesExpected, verdictOf, type ScanRow } from './trust-flow';

const verdictText = {
  new: 'not trusted yet',
  trusted: 'already trusted',
  changed: 'KEY CHANGED',
  waiting: 'behind an untrusted jump host',
  failed: 'cannot read the key',
} as const;

export function TrustRow({
  row,
  accepted,
  acceptable,
  expected,
  disabled,
  onToggle,
}: {
  row: ScanRow;
  accepted: boolean;
  acceptable: boolean;
  expected: ReadonlySet<string>;
  disabled: boolean;
  onToggle: (value: boolean) => void;
}) {
  const verdict = verdictOf(row);
  const who = row.role === 'jump' ? `the jump host of ${row.device}` : row.device;
  return (
    <Table.Tr data-testid="trust-row" data-device={row.device} data-role={row.role} data-verdict={verdict}>
      <Table.Td>
        <Checkbox
          size="xs"
          checked={accepted}
          disabled={!acceptable || disabled}
          onChange={(e) => onToggle(e.currentTarget.checked)}
          aria-label={`Trust the key of ${who}`}
          data-testid="trust-accept"
        />
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Text size="sm" fw={500}>
            {row.device}
          </Text>
          {row.role === 'jump' && (
            <Badge size="xs" variant="default" tt="none">
              jump host
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <span className="fleet-mono">{row.endpoint}</span>
      </Table.Td>
      <Table.Td>
        <Text size="xs" data-testid="trust-keytype">
          {row.ok ? row.keyType : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        {row.ok && (
          <span className="fleet-fingerprint" data-testid="trust-fingerprint">
            {row.fingerprint}
          </span>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Text
            size="xs"
            fw={verdict === 'changed' ? 700 : undefined}
            c={
              verdict === 'changed' || verdict === 'failed'
                ? 'red'
                : verdict === 'trusted'
                  ? 'dimmed'
                  : undefined
            }
            data-testid="trust-verdict"
          >
            {verdictText[verdict]}
          </Text>
          {row.ok && row.pinned === 'different' && (
            <Text size="xs" c="red">
              pinned: <span className="fleet-fingerprint">{row.pinnedFingerprint}</span>
            </Text>
          )}
          {!row.ok && (
            <Text size="xs" c={verdict === 'waiting' ? 'dimmed' : 'red'}>
              {verdict === 'waiting'
                ? 'Its key is shown once the jump host is trusted.'
                : `${row.error.code}: ${guiWords(row.error.message)}`}
            </Text>
          )}
          {row.ok && expected.size > 0 && row.pinned !== 'same' && (
            <Text size="xs" c={matchesExpected(row, expected) ? 'teal' : 'red'} data-testid="trust-match">
              {matchesExpected(row, expected)
                ? '✓ matches what you typed'
                : '✗ does not match what you typed'}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}
