import { Button, Checkbox, Group, Tooltip } from '@mantine/core';

/** "Check drift", and whether the check may update the records to what the devices verifiably run. */
export function DriftControls({
  reconcile,
  onReconcile,
  onCheck,
  busy,
  noDevices,
}: {
  reconcile: boolean;
  onReconcile: (reconcile: boolean) => void;
  onCheck: () => void;
  busy: boolean;
  noDevices: boolean;
}) {
  return (
    <Group gap="sm" align="center">
      <Tooltip
        label="Where a device verifiably runs an EdgeFleet release other than recorded, update the record to it. Modified files are never adopted."
        multiline
        w={300}
      >
        <Checkbox
          size="xs"
          label="Update records to what devices run"
          checked={reconcile}
          onChange={(e) => onReconcile(e.currentTarget.checked)}
          disabled={busy}
          data-testid="drift-reconcile"
        />
      </Tooltip>
      <Button
        size="xs"
        variant="default"
        onClick={onCheck}
        loading={busy}
        disabled={noDevices}
        data-testid="drift-check"
      >
        Check drift
      </Button>
    </Group>
  );
}
