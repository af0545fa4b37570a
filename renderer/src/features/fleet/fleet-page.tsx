import './fleet.css';
import { Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Device } from '../../../../shared/schemas/fleet';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { FleetIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { BulkBar } from './bulk-bar';
import { DeviceDrawer } from './device-detail';
import { emptyFilter, facetsOf, filterDevices, isFiltered, type DeviceFilter } from './device-filter';
import type { FormMode } from './device-form-dialog';
import { DevicesTable } from './devices-table';
import { FleetActions } from './fleet-actions';
import { FleetDialogs } from './fleet-dialogs';
import { FleetFilters } from './fleet-filters';
import { FleetMessages } from './fleet-messages';
import { countDevices } from './fleet-format';
import { importNotice, savedNotice, selectionLine, tagsOf } from './fleet-page-model';
import { useFleetAsks } from './use-fleet-asks';
import { useSelection } from './use-selection';

export function FleetPage() {
  const queryClient = useQueryClient();
  const list = useCall('devices.list', {});
  const all = useMemo(() => list.data ?? [], [list.data]);
  const byId = useMemo(() => new Map(all.map((d) => [d.id, d])), [all]);
  const facets = useMemo(() => facetsOf(all), [all]);

  const [filter, setFilter] = useState<DeviceFilter>(emptyFilter);
  // Typing stays instant; the list catches up right after (cheap anyway, but never in the keystroke).
  const text = useDeferredValue(filter.text);
  const shown = useMemo(() => filterDevices(all, { ...filter, text }), [all, filter, text]);

  const { selected, selectedIds, onSelect, selectOnly } = useSelection(all);

  // The open device lives in the URL (#/fleet?device=<id>): links and Back work.
  const [params, setParams] = useSearchParams();
  const openId = params.get('device');
  const openDevice = openId === null ? null : (byId.get(openId) ?? null);
  const openDetail = useCallback((id: string) => setParams({ device: id }), [setParams]);
  const closeDetail = () => setParams({});

  const [focus, setFocus] = useState<{ id: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const asks = useFleetAsks(all);
  const { op } = asks;
  const running = op.status === 'running';

  const searchInput = useRef<HTMLInputElement>(null);
  useHotkeys([
    ['/', () => searchInput.current?.focus()],
    ['n', () => !asks.covered && openId === null && asks.setFormMode({ kind: 'add' })],
  ]);

  const onSaved = (device: Device, kind: FormMode['kind']) => {
    asks.setFormMode(null);
    void queryClient.invalidateQueries({ queryKey: ['devices.list'] }).then(() => {
      setFocus({ id: device.id });
      openDetail(device.id);
    });
    setNotice(savedNotice(device, kind));
  };

  const filtered = isFiltered(filter);

  return (
    <Stack
      gap="xs"
      // The table scrolls inside the page: the toolbar, filters and bulk actions stay in view.
      h="calc(100dvh - var(--app-shell-header-height, 48px) - 2 * var(--mantine-spacing-md))"
      data-testid="fleet-page"
    >
      <Group justify="space-between" align="center" wrap="nowrap">
        <Group gap="xs" align="center" wrap="nowrap">
          <PageTitle icon={FleetIcon}>Fleet</PageTitle>
          {list.data && (
            <Text
              size="sm"
              c="dimmed"
              data-testid="fleet-count"
              data-total={all.length}
              data-shown={shown.length}
            >
              {filtered
                ? `${shown.length.toLocaleString('en-US')} of ${countDevices(all.length)} shown`
                : countDevices(all.length)}
            </Text>
          )}
        </Group>
        <FleetActions
          onAdd={() => asks.setFormMode({ kind: 'add' })}
          onImport={() => asks.setImportOpen(true)}
          onExport={() => asks.setExportOpen(true)}
          canExport={all.length > 0}
        />
      </Group>

      <FleetFilters filter={filter} setFilter={setFilter} facets={facets} searchInput={searchInput} />

      <BulkBar
        count={selectedIds.length}
        line={selectionLine(selectedIds, shown)}
        running={running}
        onProbe={() => void asks.runOp('probe', selectedIds, true)}
        onStatus={() => void asks.runOp('status', selectedIds, true)}
        onTrust={() => asks.askTrust(selectedIds, null)}
        onTagAdd={() => asks.setTagAsk({ mode: 'add', ids: selectedIds, suggestions: facets.tags })}
        onTagRemove={() =>
          asks.setTagAsk({ mode: 'remove', ids: selectedIds, suggestions: tagsOf(selectedIds, all) })
        }
        onClear={() => selectOnly([])}
      />

      <FleetMessages
        notice={notice}
        onDismissNotice={() => setNotice(null)}
        asks={asks}
        onSelect={selectOnly}
      />

      {list.isPending && (
        <Center p="xl">
          <Loader size="sm" aria-label="Loading devices" />
        </Center>
      )}
      {list.error && <ErrorAlert title="Cannot load the devices" error={list.error} />}
      {list.data && all.length === 0 && (
        <EmptyState
          icon={<FleetIcon size={22} />}
          title="No devices yet"
          description="Add a device (host, user and key), or import an inventory: CSV, Ansible, ssh_config. EdgeFleet then checks its host key, probes its CPU, memory and runtimes, and deploys to it."
          testId="fleet-empty"
        />
      )}
      {all.length > 0 && shown.length === 0 && (
        <EmptyState
          icon={<FleetIcon size={22} />}
          title="No device matches the filters"
          description="Loosen the search, status or tag filter, or clear them to see the whole fleet."
          action={{ label: 'Clear filters', onClick: () => setFilter(emptyFilter) }}
          testId="fleet-no-match"
        />
      )}
      {shown.length > 0 && (
        <DevicesTable
          devices={shown}
          selected={selected}
          onSelect={onSelect}
          onOpen={openDetail}
          openId={openId}
          focus={focus}
        />
      )}

      <DeviceDrawer
        device={openDevice}
        missingId={openId !== null && openDevice === null && list.data ? openId : null}
        onClose={closeDetail}
        covered={asks.covered}
        busy={running}
        onRun={(kind, device) => void asks.runOp(kind, [device.id])}
        onTrust={(device) => asks.askTrust([device.id], null)}
        onEdit={(device) => asks.setFormMode({ kind: 'edit', device })}
        onRemoved={(device) => {
          closeDetail();
          setNotice(`Removed ${device.name}.`);
          onSelect([device.id], false);
          void queryClient.invalidateQueries({ queryKey: ['devices.list'] });
        }}
      />
      <FleetDialogs
        asks={asks}
        devices={all}
        facets={facets}
        onSaved={onSaved}
        onImported={(report) => setNotice(importNotice(report))}
        onNotice={setNotice}
      />
    </Stack>
  );
}
