/** The fleet service lives in ./service; this is its public entry. */
export * from './service';
export { DeviceRepository, MemorySecretStore, type SecretRef, type SecretStore } from './devices';
