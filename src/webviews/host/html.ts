/**
 * The HTML shell of every panel: a strict Content Security Policy with a per-load nonce, the
 * bundled client script from dist/webview/<app>.js, and nothing inline but that script tag.
 */
import * as vscode from 'vscode';
import type { PanelKind } from '../protocol';
import { contentSecurityPolicy, makeNonce } from './csp';

export { contentSecurityPolicy, makeNonce };

/** Roots a panel may load from: the bundled webview apps and the runs folder (images). */
export function localResourceRoots(extensionUri: vscode.Uri, runsDir: string): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.file(runsDir)];
}

export function webviewOptions(extensionUri: vscode.Uri, runsDir: string): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: localResourceRoots(extensionUri, runsDir) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, app: PanelKind, title: string): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${app}.js`));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
</head>
<body data-panel="${app}">
<main id="app" data-testid="${app}-root" aria-busy="true"><p class="loading">Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
