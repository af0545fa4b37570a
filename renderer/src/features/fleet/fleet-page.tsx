import './fleet.css';
import {
  Alert,
  Button,
  Center,
  CloseButton,
  Group,
  Kbd,
  Loader,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Device, ImportReport } from '../../../../shared/schemas/fleet';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { FleetIcon, ImportIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { DeviceDrawer } from './device-detail';
import {
  emptyFilter,
  facetsOf,
  filterDevices,
  isFiltered,
  statusFilterLabels,
  type DeviceFilter,
  type StatusFilter,
} from './device-filter';
import { DeviceFormDialog, type FormMode } from './device-form-dialog';
import { DevicesTable } from './devices-table';
import { ExportDialog } from './export-dialog';
import { countDevices } from './fleet-format';
import { secretNeedsIn, untrustedIn, useFleetOps, type OpKind, type SecretNeed } from './fleet-ops';
import { ImportDialog } from './import-dialog';
import { OpPanel } from './op-panel';
import { SecretDialog } from './secret-dialog';
import { TagDialog, type TagAsk } from './tag-dialog';
import { TrustDialog, type TrustAsk } from './trust-dialog';

type SecretAsk = { needs: SecretNeed[]; then: OpKind };

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

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const selectedIds = useMemo(() => all.filter((d) => selected.has(d.id)).map((d) => d.id), [all, selected]);
  const hiddenSelected = useMemo(() => {
    const visible = new Set(shown.map((d) => d.id));
    return selectedIds.filter((id) => !visible.has(id)).length;
  }, [shown, selectedIds]);
  const onSelect = useCallback((ids: readonly string[], value: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (value) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);

  // The open device lives in the URL (#/fleet?device=<id>): links and Back work.
  const [params, setParams] = useSearchParams();
  const openId = params.get('device');
  const openDevice = openId === null ? null : (byId.get(openId) ?? null);
  const openDetail = useCallback((id: string) => setParams({ device: id }), [setParams]);
  const closeDetail = () => setParams({});

  const [focus, setFocus] = useState<{ id: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [formMode, setFormMode] = useState<FormMode | null>(null);
  const [trustAsk, setTrustAsk] = useState<TrustAsk | null>(null);
  const [secretAsk, setSecretAsk] = useState<SecretAsk | null>(null);
  const [tagAsk, setTagAsk] = useState<TagAsk | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const covered =
    formMode !== null ||
    trustAsk !== null ||
    secretAsk !== null ||
    tagAsk !== null ||
    importOpen ||
    exportOpen;

  const { op, start, cancel, dismiss } = useFleetOps();
  const running = op.status === 'running';

  /** Devices reached through an untrusted jump device need that device trusted first: ask for both. */
  const withUntrustedJumps = (ids: readonly string[]): string[] => {
    const byName = new Map(all.map((d) => [d.name.toLowerCase(), d]));
    const out = new Set(ids);
    const queue = [...ids];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const jump = byId.get(id)?.jump;
      const via = jump ? byName.get(jump.toLowerCase()) : undefined;
      if (via && via.hostKey === null && !out.has(via.id)) {
        out.add(via.id);
        queue.push(via.id);
      }
    }
    return [...out];
  };

  const askTrust = (ids: readonly string[], then: OpKind | null) => {
    const targets = withUntrustedJumps(ids);
    const only = targets.length === 1 ? byId.get(targets[0] ?? '') : undefined;
    setTrustAsk({
      ids: targets,
      then,
      title: only
        ? `Trust the host key of ${only.name}`
        : `Trust the host keys of ${countDevices(targets.length)}`,
    });
  };

  /**
   * Runs the operation; for one device, an unknown host key or a missing secret opens the dialog that
   * resolves it. A bulk run never covers its per-device results with the trust dialog: the panel lists the
   * unknown keys with a Trust button per device (and one for all of them).
   */
  const runOp = async (kind: OpKind, ids: readonly string[], bulk = false) => {
    if (ids.length === 0) return;
    const final = await start(kind, ids, queryClient);
    if (final.status !== 'done') return;
    const untrusted = untrustedIn(final.outcomes);
    if (untrusted.length > 0) {
      if (bulk) return;
      askTrust(untrusted, kind);
      return;
    }
    const needs = secretNeedsIn(final.outcomes);
    if (needs.length > 0) setSecretAsk({ needs, then: kind });
  };

  const searchInput = useRef<HTMLInputElement>(null);
  useHotkeys([
    ['/', () => searchInput.current?.focus()],
    ['n', () => !covered && openId === null && setFormMode({ kind: 'add' })],
  ]);

  const onSaved = (device: Device, kind: FormMode['kind']) => {
    setFormMode(null);
    void queryClient.invalidateQueries({ queryKey: ['devices.list'] }).then(() => {
      setFocus({ id: device.id });
      openDetail(device.id);
    });
    setNotice(
      kind === 'add'
        ? `Added ${device.name}. Probe it to read its facts: the first connection asks you to trust its host key.`
        : `Saved ${device.name}.`,
    );
  };

  const onImported = (report: ImportReport) => {
    const { added, updated, unchanged, skipped } = report.counts;
    const n = (count: number) => count.toLocaleString('en-US');
    // An import that changed nothing says so, rather than a count of zeros that reads like success.
    if (added + updated === 0) {
      setNotice(
        `Nothing was added from the ${report.format} file: ${n(unchanged)} already in the fleet as they are${skipped > 0 ? `, ${n(skipped)} skipped` : ''}.`,
      );
      return;
    }
    setNotice(`Imported from ${report.format}: ${n(added)} added, ${n(updated)} updated.`);
  };

  const tagsOfSelection = () => [...new Set(selectedIds.flatMap((id) => byId.get(id)?.tags ?? []))].sort();

  const filtered = isFiltered(filter);
  const statusOptions = (Object.keys(statusFilterLabels) as StatusFilter[])
    .filter((s) => facets.statuses[s] !== undefined || filter.status === s)
    .map((s) => ({ value: s, label: `${statusFilterLabels[s]} (${facets.statuses[s] ?? 0})` }));

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
        <Group gap="xs" wrap="nowrap">
          <Tooltip
            label={
              <>
                Add a device <Kbd size="xs">N</Kbd>
              </>
            }
          >
            <Button size="xs" onClick={() => setFormMode({ kind: 'add' })} data-testid="fleet-add">
              Add device…
            </Button>
          </Tooltip>
          <Button
            size="xs"
            variant="default"
            leftSection={<ImportIcon size={14} />}
            onClick={() => setImportOpen(true)}
            data-testid="fleet-import"
          >
            Import…
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => setExportOpen(true)}
            disabled={all.length === 0}
            data-testid="fleet-export"
          >
            Export…
          </Button>
        </Group>
      </Group>

      <Group gap="xs" wrap="nowrap" align="flex-end">
        <TextInput
          ref={searchInput}
          size="xs"
          flex={1}
          miw={200}
          placeholder="Filter by name, address, tag, OS, notes…   ( / )"
          aria-label="Filter devices"
          value={filter.text}
          onChange={(e) => {
            // Read now: React clears currentTarget once the handler returns, before the updater runs.
            const value = e.currentTarget.value;
            setFilter((f) => ({ ...f, text: value }));
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setFilter((f) => ({ ...f, text: '' }));
          }}
          rightSection={
            filter.text ? (
              <CloseButton
                size="xs"
                aria-label="Clear the text filter"
                onClick={() => setFilter((f) => ({ ...f, text: '' }))}
              />
            ) : undefined
          }
          data-testid="fleet-search"
        />
        <Select
          size="xs"
          w={170}
          placeholder="Any tag"
          aria-label="Filter by tag"
          data={facets.tags}
          searchable
          clearable
          limit={100}
          value={filter.tag}
          onChange={(tag) => setFilter((f) => ({ ...f, tag }))}
          data-testid="fleet-filter-tag"
        />
        <Select
          size="xs"
          w={200}
          placeholder="Any status"
          aria-label="Filter by status"
          data={statusOptions}
          clearable
          value={filter.status}
          onChange={(status) => setFilter((f) => ({ ...f, status: status as StatusFilter | null }))}
          data-testid="fleet-filter-status"
        />
        <Select
          size="xs"
          w={170}
          placeholder="Any profile"
          aria-label="Filter by profile"
          data={facets.profiles}
          searchable
          clearable
          value={filter.profile}
          onChange={(profile) => setFilter((f) => ({ ...f, profile }))}
          data-testid="fleet-filter-profile"
        />
        <Button
          size="xs"
          variant="subtle"
          onClick={() => setFilter(emptyFilter)}
          disabled={!filtered}
          data-testid="fleet-clear-filters"
        >
          Clear filters
        </Button>
      </Group>

      <Paper withBorder px="xs" py={6} data-testid="bulk-bar">
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" miw={150} data-testid="bulk-count" data-count={selectedIds.length}>
            {selectedIds.length === 0
              ? 'No devices selected'
              : `${countDevices(selectedIds.length)} selected${hiddenSelected > 0 ? ` (${hiddenSelected} hidden by the filter)` : ''}`}
          </Text>
          <Button
            size="compact-xs"
            onClick={() => void runOp('probe', selectedIds, true)}
            disabled={selectedIds.length === 0 || running}
            data-testid="bulk-probe"
          >
            Probe
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => void runOp('status', selectedIds, true)}
            disabled={selectedIds.length === 0 || running}
            data-testid="bulk-status"
          >
            Check status
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => askTrust(selectedIds, null)}
            disabled={selectedIds.length === 0 || running}
            data-testid="bulk-trust"
          >
            Trust host keys…
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => setTagAsk({ mode: 'add', ids: selectedIds, suggestions: facets.tags })}
            disabled={selectedIds.length === 0}
            data-testid="bulk-tag-add"
          >
            Add tag…
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => setTagAsk({ mode: 'remove', ids: selectedIds, suggestions: tagsOfSelection() })}
            disabled={selectedIds.length === 0}
            data-testid="bulk-tag-remove"
          >
            Remove tag…
          </Button>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => setSelected(new Set())}
            disabled={selectedIds.length === 0}
            data-testid="bulk-clear"
          >
            Clear selection
          </Button>
        </Group>
      </Paper>

      {notice && (
        <Alert
          color="teal"
          variant="light"
          p="xs"
          withCloseButton
          onClose={() => setNotice(null)}
          closeButtonLabel="Dismiss"
          data-testid="fleet-notice"
        >
          <Text size="sm">{notice}</Text>
        </Alert>
      )}

      <OpPanel
        op={op}
        onCancel={cancel}
        onDismiss={dismiss}
        onTrust={(ids) => askTrust(ids, op.status === 'done' ? op.kind : null)}
        onSecrets={() => {
          if (op.status === 'done') setSecretAsk({ needs: secretNeedsIn(op.outcomes), then: op.kind });
        }}
        onSelect={(ids) => setSelected(new Set(ids))}
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
        covered={covered}
        busy={running}
        onRun={(kind, device) => void runOp(kind, [device.id])}
        onTrust={(device) => askTrust([device.id], null)}
        onEdit={(device) => setFormMode({ kind: 'edit', device })}
        onRemoved={(device) => {
          closeDetail();
          setNotice(`Removed ${device.name}.`);
          onSelect([device.id], false);
          void queryClient.invalidateQueries({ queryKey: ['devices.list'] });
        }}
      />
      <DeviceFormDialog
        mode={formMode}
        onClose={() => setFormMode(null)}
        onSaved={onSaved}
        deviceNames={all.map((d) => d.name)}
        tags={facets.tags}
        profiles={facets.profiles}
      />
      <TrustDialog
        ask={trustAsk}
        onClose={() => setTrustAsk(null)}
        onContinue={(ids, then) => {
          setTrustAsk(null);
          void runOp(then, ids);
        }}
      />
      <SecretDialog
        needs={secretAsk?.needs ?? null}
        onClose={() => setSecretAsk(null)}
        onProvided={(ids) => {
          const then = secretAsk?.then ?? 'status';
          setSecretAsk(null);
          void runOp(then, ids);
        }}
      />
      <TagDialog
        ask={tagAsk}
        onClose={() => setTagAsk(null)}
        onDone={(message) => {
          setTagAsk(null);
          setNotice(message);
        }}
      />
      <ImportDialog opened={importOpen} onClose={() => setImportOpen(false)} onImported={onImported} />
      <ExportDialog opened={exportOpen} onClose={() => setExportOpen(false)} tags={facets.tags} />
    </Stack>
  );
}
