import { createTheme } from '@mantine/core';

/** Light, dense and calm: a grid-operations tool, not a marketing site. */
export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'sm',
  fontFamily:
    'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  headings: { fontWeight: '600' },
  components: {
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm' } },
    Card: { defaultProps: { withBorder: true, padding: 'md', radius: 'sm' } },
    Paper: { defaultProps: { withBorder: true, radius: 'sm' } },
    TextInput: { defaultProps: { size: 'sm' } },
    NumberInput: { defaultProps: { size: 'sm' } },
    Tooltip: { defaultProps: { openDelay: 150 } },
  },
});
