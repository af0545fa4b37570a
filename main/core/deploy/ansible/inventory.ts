import { defaultDeployRoot } from '../../../../shared/schemas/fleet';
import { exportInventory, type ExportDevice } from '../../fleet/inventory-io';
import type { DeployTarget } from '../types';
import type { InventoryFile } from './playbook';

/**
 * The inventory of targets given as plain data (the name-free runner: tests, benchmarks), written by the
 * same exporter as `edgefleet devices export --format ansible-ini`. The service writes the fleet's own
 * devices through FleetService.export instead. Passwords are never written: a password device carries
 * `edgefleet_auth=password` only.
 */
export function inventoryFromTargets(targets: readonly DeployTarget[]): InventoryFile {
  const devices: ExportDevice[] = targets.map((t) => ({
    name: t.deviceName,
    host: t.ssh.host,
    port: t.ssh.port,
    user: t.ssh.username,
    authMethod: t.ssh.auth.kind,
    keyPath: t.ssh.auth.kind === 'key' ? t.ssh.auth.privateKeyPath : null,
    jump: t.ssh.jump === undefined ? null : `${t.ssh.jump.username}@${t.ssh.jump.host}:${t.ssh.jump.port}`,
    tags: [],
    profile: null,
    deployRoot: t.deployRoot === defaultDeployRoot ? defaultDeployRoot : t.deployRoot,
    restartCmd: t.restartCommand,
    healthCmd: t.healthCommand,
    notes: null,
    hostKey: null,
    jumpHostKey: null,
  }));
  const text = exportInventory('ansible-ini', devices, {
    jumpEndpoint: () => null,
    adhocJump: () => null,
  });
  return { fileName: 'inventory.ini', text };
}
