export { exportInventory, inferFormat, parseInventory, type ExportContext } from './formats';
export type { ExportDevice, HostKeyRecord, InventoryRecord, ParsedInventory } from './inventory-record';
export { entryMatches, knownHostsName, parseKnownHosts, type ParsedKnownHosts } from './known-hosts';
export { csvColumns } from './csv-format';
