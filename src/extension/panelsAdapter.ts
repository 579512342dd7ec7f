/**
 * The one place the extension host touches the webview panels (src/extension/panels, written
 * separately): re-exports their contract so commands depend on this file only.
 */
export { registerPanels } from './panels';
export type { PanelCommands, PanelDeps } from './panels';
