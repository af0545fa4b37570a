import type { DeployPlan } from '../plan';
import { bundleFiles, type InventoryFile } from './playbook';

/** The README of an exported project: what it is, how to run it here or in AWX, how to record the results. */
export function readmeFor(plan: DeployPlan, inventory: InventoryFile, forks: number): string {
  const names = plan.devices.map((d) => d.deviceName).join(', ');
  return `# EdgeFleet deployment ${plan.deploymentId}

Model **${plan.artifact.modelName}**, release \`${plan.release}\` (sha256 \`${plan.artifact.sha256}\`, ${plan.artifact.sizeBytes} B),
to ${plan.devices.length} device(s): ${names}. Written by EdgeFleet (\`edgefleet deploy ... --engine ansible --export\`).

The playbook does what EdgeFleet's built-in deploy does, with the same remote scripts: the device lock
(\`<deployRoot>/.edgefleet-lock\`), preflight, upload to a temporary name, sha256 checked on the device, install
with \`manifest.json\`, atomic switch of \`<deployRoot>/<model>/current\`, restart and health check, the switch back
when either fails, and the prune of old releases (${plan.options.keepReleases} kept).

| File | What |
| --- | --- |
| \`${inventory.fileName}\` | The devices, as \`edgefleet devices export\` writes them |
| \`${bundleFiles.knownHosts}\` | Their pinned host keys: ssh runs with \`StrictHostKeyChecking=yes\` against this file only |
| \`${bundleFiles.playbook}\` | The plays (canary first when one was set) |
| \`${bundleFiles.tasks}\` | The tasks of one device (do not edit: the results reader knows their names) |
| \`${bundleFiles.vars}\` | The plan's data: scripts, per-device arguments, the manifest (all \`!unsafe\`) |
| \`${bundleFiles.model}\` | The model file |
| \`${bundleFiles.config}\` | forks = ${forks}, host key checking on |

## Run it

Needs Ansible (ansible-core 2.14 or later, with the \`ansible.posix\` collection for the JSON output) here and
python3 on the devices:

    ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook ${bundleFiles.playbook} > results.json

Devices that log in with a password have \`edgefleet_auth=password\` in the inventory and no password in it:
add \`--ask-pass\` (needs \`sshpass\`) or, in AWX, a Machine credential. Keys with a passphrase: load them into
ssh-agent first.

In AWX / Automation Controller: put this directory in a project (or a source-control repository), make an
inventory from \`${inventory.fileName}\`, and a job template running \`${bundleFiles.playbook}\` with forks ${forks}.
Keep \`known_hosts\` next to the playbook: it is how the devices' host keys are checked. Download the job's
output as JSON (the job events with \`ansible.posix.json\` as stdout callback).

## Record the results in EdgeFleet

    edgefleet deploy --import-results results.json

Then \`edgefleet status\`, \`history\` and \`drift\` show this deployment exactly as if EdgeFleet had run it.
`;
}
