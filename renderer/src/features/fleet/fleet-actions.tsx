import { Button, Group, Kbd, Tooltip } from '@mantine/core';
import { ImportIcon } from '../../components/icons';

type FleetActionsProps = {
  onAdd: () => void;
  onImport: () => void;
  onExport: () => void;
  /** Nothing to export from an empty fleet. */
  canExport: boolean;
};

/** The page's own actions, top right: add a device, import and export an inventory. */
export function FleetActions({ onAdd, onImport, onExport, canExport }: FleetActionsProps) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Tooltip
        label={
          <>
            Add a device <Kbd size="xs">N</Kbd>
          </>
        }
      >
        <Button size="xs" onClick={onAdd} data-testid="fleet-add">
          Add device…
        </Button>
      </Tooltip>
      <Button
        size="xs"
        variant="default"
        leftSection={<ImportIcon size={14} />}
        onClick={onImport}
        data-testid="fleet-import"
      >
        Import…
      </Button>
      <Button size="xs" variant="default" onClick={onExport} disabled={!canExport} data-testid="fleet-export">
        Export…
      </Button>
    </Group>
  );
}
