import { createTheme, Drawer, Modal, Table, type MantineThemeOverride } from '@mantine/core';

/** Dense desktop look: small controls and tight tables; focus rings for keyboard users only. */
export const theme: MantineThemeOverride = createTheme({
  primaryColor: 'teal',
  // White text on teal.6 buttons is 2.6:1; shade 9 passes WCAG AA (4.5:1) in both schemes.
  primaryShade: { light: 9, dark: 9 },
  defaultRadius: 'sm',
  focusRing: 'auto',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Ubuntu, Cantarell, "Helvetica Neue", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  components: {
    Table: Table.extend({ defaultProps: { verticalSpacing: 4, horizontalSpacing: 'sm', fz: 'sm' } }),
    // Mantine draws a dialog's title bar as <header>; inside role="dialog" browsers still expose that as a
    // second banner landmark beside the app header. The title bar is not a landmark: the dialog is.
    Modal: Modal.extend({ defaultProps: { attributes: { header: { role: 'presentation' } } } }),
    Drawer: Drawer.extend({ defaultProps: { attributes: { header: { role: 'presentation' } } } }),
  },
});
