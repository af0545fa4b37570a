export { FleetService, type FleetServiceOptions, type ImportOptions, type SecretNeed } from './fleet-service';
export {
  jobProgress,
  runFleet,
  type DeviceResult,
  type FleetOpOptions,
  type FleetProgress,
} from './run-fleet';
export { stateFor } from './fleet-operations';
