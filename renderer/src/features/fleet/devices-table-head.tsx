import { Checkbox } from '@mantine/core';

type DevicesTableHeadProps = {
  /** How many of the shown devices are selected, of how many. */
  selectedCount: number;
  shownCount: number;
  onToggleAll: () => void;
};

/** Column widths and the sticky header, with the select-all box (mixed when some are selected). */
export function DevicesTableHead({ selectedCount, shownCount, onToggleAll }: DevicesTableHeadProps) {
  const allShown = shownCount > 0 && selectedCount === shownCount;
  return (
    <>
      <colgroup>
        <col style={{ width: 36 }} />
        <col style={{ width: '14%' }} />
        <col style={{ width: '17%' }} />
        <col style={{ width: 124 }} />
        <col style={{ width: 96 }} />
        <col style={{ width: '16%' }} />
        <col />
        <col style={{ width: '9%' }} />
        <col style={{ width: 100 }} />
      </colgroup>
      <thead>
        <tr aria-rowindex={1}>
          <th>
            <Checkbox
              size="xs"
              checked={allShown}
              indeterminate={selectedCount > 0 && !allShown}
              onChange={onToggleAll}
              aria-label={allShown ? 'Unselect all shown devices' : 'Select all shown devices'}
              data-testid="select-all"
            />
          </th>
          <th>Name</th>
          <th>Address</th>
          <th>Status</th>
          <th>Host key</th>
          <th>System</th>
          <th>Tags</th>
          <th>Profile</th>
          <th>Last seen</th>
        </tr>
      </thead>
    </>
  );
}
