import type { Device, ImportReport } from '../../../../shared/schemas/fleet';
import type { Facets } from './device-filter';
import { DeviceFormDialog, type FormMode } from './device-form-dialog';
import { ExportDialog } from './export-dialog';
import { ImportDialog } from './import-dialog';
import { SecretDialog } from './secret-dialog';
import { TagDialog } from './tag-dialog';
import { TrustDialog } from './trust-dialog';
import type { FleetAsks } from './use-fleet-asks';

type FleetDialogsProps = {
  asks: FleetAsks;
  devices: readonly Device[];
  facets: Facets;
  onSaved: (device: Device, kind: FormMode['kind']) => void;
  onImported: (report: ImportReport) => void;
  onNotice: (message: string) => void;
};

/** Every dialog of the Fleet page; at most one is open, as `asks` says. */
export function FleetDialogs({ asks, devices, facets, onSaved, onImported, onNotice }: FleetDialogsProps) {
  const { secretAsk, runOp } = asks;
  return (
    <>
      <DeviceFormDialog
        mode={asks.formMode}
        onClose={() => asks.setFormMode(null)}
        onSaved={onSaved}
        deviceNames={devices.map((d) => d.name)}
        tags={facets.tags}
        profiles={facets.profiles}
      />
      <TrustDialog
        ask={asks.trustAsk}
        onClose={() => asks.setTrustAsk(null)}
        onContinue={(ids, then) => {
          asks.setTrustAsk(null);
          void runOp(then, ids);
        }}
      />
      <SecretDialog
        needs={secretAsk?.needs ?? null}
        onClose={() => asks.setSecretAsk(null)}
        onProvided={(ids) => {
          const then = secretAsk?.then ?? 'status';
          asks.setSecretAsk(null);
          void runOp(then, ids);
        }}
      />
      <TagDialog
        ask={asks.tagAsk}
        onClose={() => asks.setTagAsk(null)}
        onDone={(message) => {
          asks.setTagAsk(null);
          onNotice(message);
        }}
      />
      <ImportDialog
        opened={asks.importOpen}
        onClose={() => asks.setImportOpen(false)}
        onImported={onImported}
      />
      <ExportDialog opened={asks.exportOpen} onClose={() => asks.setExportOpen(false)} tags={facets.tags} />
    </>
  );
}
