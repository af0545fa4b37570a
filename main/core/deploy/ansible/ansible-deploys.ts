import { AppError } from '../../../../shared/errors';
import type { DeploymentReport } from '../../../../shared/schemas/deploy';
import type { FleetService } from '../../fleet/service';
import type { DeployRunner } from '../deploy-runner';
import type { PreparedDeploy } from '../deploy-service';
import { AnsibleEngine, type AnsibleExport, type AnsibleRunControl } from './engine';
import type { InventoryFile } from './playbook';

/**
 * DeployService's `--engine ansible` door: a prepared deploy (names resolved, plan made) run by Ansible or
 * written for it, with the inventory of its devices exactly as `edgefleet devices export --format
 * ansible-ini` writes it. Passwords are never written: a local run refuses password devices.
 */
export class AnsibleDeploys {
  private readonly engine: AnsibleEngine;

  constructor(
    runner: DeployRunner,
    private readonly fleet: FleetService,
  ) {
    this.engine = new AnsibleEngine(runner);
  }

  inventoryFor(prepared: PreparedDeploy): InventoryFile {
    const { text, deviceCount } = this.fleet.export('ansible-ini', {
      names: prepared.devices.map((d) => d.name),
    });
    if (deviceCount !== prepared.devices.length) {
      throw new AppError('INTERNAL', 'The inventory lost some of the deploy targets.');
    }
    return { fileName: 'inventory.ini', text };
  }

  run(prepared: PreparedDeploy, control: AnsibleRunControl = {}): Promise<DeploymentReport> {
    const passwords = prepared.devices.filter((d) => d.authMethod === 'password');
    if (passwords.length > 0) {
      throw new AppError(
        'FEATURE_UNAVAILABLE',
        `${passwords.map((d) => d.name).join(', ')} log(s) in with a password, and EdgeFleet never writes passwords for Ansible. Use a key (or ssh-agent) for these devices, or write the project with --export DIR and run it with --ask-pass or an AWX Machine credential. Nothing was changed.`,
      );
    }
    return this.engine.run(prepared.plan, this.inventoryFor(prepared), control);
  }

  exportTo(prepared: PreparedDeploy, dir: string, forks?: number): Promise<AnsibleExport> {
    return this.engine.exportTo(dir, prepared.plan, this.inventoryFor(prepared), forks);
  }

  importResults(file: string): Promise<DeploymentReport> {
    return this.engine.importResults(file, (id) => {
      try {
        this.fleet.get(id);
        return true;
      } catch {
        return false;
      }
    });
  }
}
