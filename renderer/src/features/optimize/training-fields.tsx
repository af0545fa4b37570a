import { NumberInput, SimpleGrid } from '@mantine/core';
import type { DistillConfig } from '../../../../shared/schemas/optimize';

/**
 * The hyper-parameters both training methods share: epochs, temperature, alpha, learning rate, batch size,
 * held-out checks per epoch.
 */
type Shared = Pick<
  DistillConfig,
  'epochs' | 'temperature' | 'alpha' | 'learningRate' | 'batchSize' | 'checksPerEpoch'
>;

export function TrainingFields<C extends Shared>({
  config,
  set,
  disabled,
}: {
  config: C;
  set: (p: Partial<Shared>) => void;
  disabled?: boolean;
}) {
  // Empty or out-of-range typing is left to the contract's schema: the run button says what to fix.
  const num = (v: string | number) => (typeof v === 'number' ? v : Number.NaN);
  return (
    <SimpleGrid cols={2} spacing="xs">
      <NumberInput
        size="xs"
        label="Epochs"
        min={1}
        max={1000}
        allowDecimal={false}
        value={config.epochs}
        onChange={(v) => set({ epochs: num(v) })}
        disabled={disabled}
        data-testid="option-epochs"
      />
      <NumberInput
        size="xs"
        label="Batch size"
        min={1}
        max={4096}
        allowDecimal={false}
        value={config.batchSize}
        onChange={(v) => set({ batchSize: num(v) })}
        disabled={disabled}
        data-testid="option-batch-size"
      />
      <NumberInput
        size="xs"
        label="Learning rate"
        description="Adam; lower it if the loss jumps or becomes NaN."
        min={0}
        max={1}
        step={0.0001}
        decimalScale={6}
        value={config.learningRate}
        onChange={(v) => set({ learningRate: num(v) })}
        disabled={disabled}
        data-testid="option-learning-rate"
      />
      <NumberInput
        size="xs"
        label="Temperature"
        description="Softens the teacher's answers: 2–8 passes on more of what it knows."
        min={0}
        max={100}
        step={0.5}
        decimalScale={3}
        value={config.temperature}
        onChange={(v) => set({ temperature: num(v) })}
        disabled={disabled}
        data-testid="option-temperature"
      />
      <NumberInput
        size="xs"
        label="Alpha"
        description="Weight of the teacher's term; 1 − alpha goes to labels when the data has them."
        min={0}
        max={1}
        step={0.1}
        decimalScale={3}
        value={config.alpha}
        onChange={(v) => set({ alpha: num(v) })}
        disabled={disabled}
        data-testid="option-alpha"
      />
      <NumberInput
        size="xs"
        label="Held-out checks / epoch"
        description="The best check's weights are kept: more checks catch an early peak."
        min={1}
        max={1000}
        allowDecimal={false}
        value={config.checksPerEpoch}
        onChange={(v) => set({ checksPerEpoch: num(v) })}
        disabled={disabled}
        data-testid="option-checks-per-epoch"
      />
    </SimpleGrid>
  );
}
