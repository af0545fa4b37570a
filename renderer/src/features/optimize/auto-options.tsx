import { Code, List, NumberInput, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { DEFAULT_GOAL, GOAL_GRAMMAR } from '../../../../shared/goal';
import type { AutoConfig } from '../../../../shared/schemas/optimize';
import { CalibratorField } from './calibrator-field';
import { checkAutoConfig } from './optimize-form';

/** A hardware profile as the target list needs it. */
export type TargetChoice = { id: string; name: string };

type AutoOptionsProps = {
  config: AutoConfig;
  set: (patch: Partial<AutoConfig>) => void;
  /** Hardware profiles the search can rank candidates for (estimated); this machine is always offered. */
  profiles?: readonly TargetChoice[];
  disabled?: boolean;
};

const THIS_MACHINE = 'this-machine';

/**
 * The core's grammar (one source) as a list of its terms under the field; without its CLI example. Should
 * the grammar's wording change shape, the whole sentence is shown instead.
 */
const grammar = GOAL_GRAMMAR.replace(/\s*Example:.*$/, '');
const goalTerms = grammar.split('; TERM = ')[1]?.replace(/\.$/, '').split(' | ') ?? [];

/**
 * The auto search's options: what the variant must keep (goal), how long to search, how to calibrate, and
 * per-node overrides. The goal is checked as typed with the core's own parser: no run starts with a goal
 * the core would refuse.
 */
export function AutoOptions({ config, set, profiles = [], disabled }: AutoOptionsProps) {
  const errors = checkAutoConfig(config);
  const onThisMachine = config.target === THIS_MACHINE;
  const targets = [
    { value: THIS_MACHINE, label: 'This machine (measured)' },
    ...profiles
      .filter((p) => p.id !== THIS_MACHINE)
      .map((p) => ({ value: p.id, label: `${p.name} (estimated)` })),
  ];
  // A target that is no longer in the list (a removed profile) stays selectable so the form never lies about it.
  if (!targets.some((t) => t.value === config.target))
    targets.push({ value: config.target, label: config.target });
  return (
    <Stack gap="xs">
      <TextInput
        size="xs"
        label="Goal"
        description={
          <>
            What the variant must keep against the parent; terms joined by commas must all hold, e.g.{' '}
            <Code fz="xs">sqnr&gt;=30,top1&gt;=0.99</Code>.
          </>
        }
        placeholder={DEFAULT_GOAL}
        value={config.goal}
        onChange={(e) => set({ goal: e.currentTarget.value })}
        error={errors.goal}
        disabled={disabled}
        spellCheck={false}
        autoComplete="off"
        data-testid="option-goal"
      />
      {goalTerms.length > 1 ? (
        <List size="xs" c="dimmed" spacing={0} mt={-4} aria-label="Goal terms" data-testid="goal-grammar">
          {goalTerms.map((term) => {
            const [head = term, ...rest] = term.split(' ');
            return (
              <List.Item key={term}>
                <Code fz="xs">{head}</Code> {rest.join(' ')}
              </List.Item>
            );
          })}
        </List>
      ) : (
        <Text size="xs" c="dimmed" data-testid="goal-grammar">
          {grammar}
        </Text>
      )}
      <NumberInput
        size="xs"
        label="Time budget (minutes)"
        description="Past it, the search stops and keeps the best found so far (the report says so)."
        min={0.5}
        max={24 * 60}
        step={1}
        decimalScale={1}
        value={Number.isFinite(config.budgetMinutes) ? config.budgetMinutes : ''}
        // Empty is kept as "no number" so the field shows its error instead of silently keeping the old value.
        onChange={(v) => set({ budgetMinutes: typeof v === 'number' ? v : Number.NaN })}
        error={errors.budgetMinutes}
        disabled={disabled}
        data-testid="option-budget"
      />
      <Select
        size="xs"
        label="Speed target"
        description="Where candidates are ranked by speed. This machine: measured with ONNX Runtime. A hardware profile: the estimator's per-op model (the report says ESTIMATED). Fidelity is always measured here."
        data={targets}
        value={config.target}
        onChange={(v) => v && set({ target: v })}
        allowDeselect={false}
        disabled={disabled}
        data-testid="option-target"
      />
      <CalibratorField
        value={config.calibrator}
        onChange={(calibrator) => set({ calibrator })}
        disabled={disabled}
      />
      <TagsInput
        size="xs"
        label="Force float (node names)"
        description="Nodes that stay float whatever the search finds. Easier: tick nodes in a result’s node table."
        placeholder={config.forceFloat.length === 0 ? 'None' : undefined}
        value={config.forceFloat}
        onChange={(forceFloat) => set({ forceFloat })}
        error={errors.forced}
        clearable
        disabled={disabled}
        data-testid="option-force-float"
      />
      <TagsInput
        size="xs"
        label="Force int8 (node names)"
        description="Nodes that stay int8 even where the search would keep them float."
        placeholder={config.forceInt8.length === 0 ? 'None' : undefined}
        value={config.forceInt8}
        onChange={(forceInt8) => set({ forceInt8 })}
        error={errors.forced ? ' ' : undefined}
        clearable
        disabled={disabled}
        data-testid="option-force-int8"
      />
      <Text size="xs" c="dimmed">
        {onThisMachine
          ? 'Speed is measured on this machine with ONNX Runtime; fidelity against the parent’s own outputs.'
          : 'Speed is estimated for the chosen profile (this machine’s measured ratios stay in the report); fidelity is measured here against the parent’s own outputs.'}
      </Text>
    </Stack>
  );
}
