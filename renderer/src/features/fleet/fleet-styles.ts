/** Monospace for what users type as code (commands, fingerprints), leaving the label in the normal font. */
export const monoInput = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } as const;
