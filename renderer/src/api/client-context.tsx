import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { Client } from './client';
import type { ActiveJob } from './job-store';

const ClientContext = createContext<Client | null>(null);

/** Pages get the client from context, so a test or a preview can hand in one over a fake transport. */
export function ClientProvider({ client, children }: { client: Client; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient must be used inside <ClientProvider>.');
  return client;
}

export function useActiveJobs(): readonly ActiveJob[] {
  const { jobs } = useClient();
  return useSyncExternalStore(jobs.subscribe, jobs.getSnapshot);
}
