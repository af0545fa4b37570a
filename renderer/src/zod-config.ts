import { z } from 'zod';

// The CSP has no 'unsafe-eval'. Zod probes `new Function` when the first object schema is built, and
// Chromium reports that probe as a CSP violation even though zod catches it. This module is imported
// first by main.tsx, before any schema exists, so the probe never runs.
z.config({ jitless: true });
