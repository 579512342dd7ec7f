/**
 * Theme colours from VS Code's --vscode-* CSS variables (read from computed styles, so Chart.js,
 * which draws on a canvas, follows light, dark and high-contrast themes), and a change hook.
 */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  focus: string;
  palette: string[];
  label: { benign: string; malignant: string; normal: string };
  highContrast: boolean;
}

export function chartTheme(): ChartTheme {
  const kind = themeKind();
  const light = kind === 'light' || kind === 'high-contrast-light';
  const hc = kind.startsWith('high-contrast');
  const fg = cssVar('--vscode-foreground', light ? '#333333' : '#cccccc');
  const palette = [
    cssVar('--vscode-charts-blue', light ? '#1a85ff' : '#3794ff'),
    cssVar('--vscode-charts-orange', light ? '#d18616' : '#d18616'),
    cssVar('--vscode-charts-green', light ? '#388a34' : '#89d185'),
    cssVar('--vscode-charts-purple', light ? '#652d90' : '#b180d7'),
    cssVar('--vscode-charts-red', light ? '#e51400' : '#f14c4c'),
    cssVar('--vscode-charts-yellow', light ? '#bf8803' : '#cca700'),
    fg,
  ];
  return {
    foreground: fg,
    muted: cssVar('--vscode-descriptionForeground', fg),
    grid: hc ? cssVar('--vscode-contrastBorder', fg) : withAlpha(cssVar('--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'), 0.6),
    background: cssVar('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    palette,
    label: {
      benign: cssVar('--vscode-charts-green', '#89d185'),
      malignant: cssVar('--vscode-charts-red', '#f14c4c'),
      normal: cssVar('--vscode-charts-blue', '#3794ff'),
    },
    highContrast: hc,
  };
}

/** Calls `fn` whenever VS Code switches theme (it changes the body's classes). */
export function onThemeChange(fn: () => void): void {
  new MutationObserver(() => fn()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** Adds an alpha channel to a #rgb / #rrggbb colour (other syntaxes are returned unchanged). */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  if (/^#[0-9a-f]{6}$/i.test(color)) return color + a;
  if (/^#[0-9a-f]{3}$/i.test(color)) return '#' + [...color.slice(1)].map((c) => c + c).join('') + a;
  return color;
}
