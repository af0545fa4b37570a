/** The goal grammar lives in shared/ (pure) so the Optimize form checks goals as typed; core and CLI read it here. */
export * from '../../../../shared/goal';
