import { Button, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import type { TrustOutcome } from '../../../../shared/schemas/fleet';
import { guiWords } from '../../lib/gui-words';
import { opLabels, type OpKind } from './fleet-ops';
import type { TrustAsk } from './use-trust-flow';

export function TrustDone({
  phase,
  ask,
  onClose,
  onContinue,
}: {
  phase: { outcomes: TrustOutcome[]; trusted: string[] };
  ask: TrustAsk;
  onClose: () => void;
  onContinue: (ids: string[], then: OpKind) => void;
}) {
  const { outcomes, trusted } = phase;
  const then = ask.then;
  return (
    <Stack gap="sm" data-testid="trust-done">
      {outcomes.length === 0 ? (
        <Text size="sm">Nothing was pinned.</Text>
      ) : (
        <ScrollArea.Autosize mah={340} type="auto">
          <Table withTableBorder verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outcomes.map((o) => (
                <Table.Tr key={o.deviceId} data-testid="trust-outcome" data-ok={o.ok}>
                  <Table.Td>{o.device}</Table.Td>
                  <Table.Td>
                    {o.ok ? (
                      <Text size="xs">
                        {o.action === 'unchanged' ? 'already pinned' : o.action}{' '}
                        <span className="fleet-fingerprint">{o.fingerprint}</span> ({o.keyType})
                        {o.previousFingerprint && (
                          <>
                            {' '}
                            — was <span className="fleet-fingerprint">{o.previousFingerprint}</span>
                          </>
                        )}
                        {o.jump && ` · jump host key ${o.jump.action}: ${o.jump.fingerprint}`}
                      </Text>
                    ) : (
                      <Text size="xs" c="red">
                        {o.error.code}: {guiWords(o.error.message)}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
      <Group justify="flex-end" gap="xs">
        <Button size="xs" variant="default" onClick={onClose} data-testid="trust-close">
          Close
        </Button>
        {then !== null && trusted.length > 0 && (
          <Button size="xs" onClick={() => onContinue(trusted, then)} data-testid="trust-continue">
            {capitalize(opLabels[then].imperative)} the{' '}
            {trusted.length === 1 ? 'trusted device' : `${trusted.length} trusted devices`}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
