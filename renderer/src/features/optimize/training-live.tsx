import { Group, Paper, Stack, Text } from '@mantine/core';
import type { TrainingProgress } from '../../../../shared/schemas/optimize';
import { TrainingCurves } from '../../components/training-curves/training-curves';

/** "1 min 05 s", "42 s": an ETA people read at a glance. */
function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A running training: epoch x of N, batch, ETA, throughput and the live loss/fidelity curves. */
export function TrainingLive({ training }: { training: TrainingProgress }) {
  return (
    <Paper withBorder p="xs" data-testid="training-live">
      <Stack gap={4}>
        <Group gap="md">
          <Text size="xs" fw={600} data-testid="training-epoch">
            Epoch {training.epoch} of {training.epochs}
          </Text>
          <Text size="xs" c="dimmed">
            batch {training.step}/{training.steps} · loss {training.loss.toPrecision(4)}
          </Text>
          <Text size="xs" data-testid="training-eta">
            ETA {formatEta(training.etaSeconds)}
          </Text>
          <Text size="xs" c="dimmed">
            {Math.round(training.samplesPerSecond)} samples/s
          </Text>
        </Group>
        <TrainingCurves
          lossCurve={training.lossCurve}
          fidelityCurve={training.fidelityCurve}
          epochs={training.epochs}
          testId="training-live-curves"
        />
        <Text size="xs" c="dimmed">
          Cancel keeps the best held-out check so far (or the best completed epoch without held-out data) as a
          variant marked as cancelled; before the first check there is nothing to keep.
        </Text>
      </Stack>
    </Paper>
  );
}
