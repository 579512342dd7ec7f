/** The panels' Content Security Policy (no `vscode` import: the webview harness uses it too). */
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

/**
 * Nothing by default; scripts only by nonce; styles, images and fonts only from the webview's
 * resource origin (`cspSource`). No remote content, no inline style attributes.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Lit's shadow-root styles use adopted stylesheets (not subject to style-src); the nonce
    // covers its <style> fallback (window.litNonce) and our own stylesheet fallback.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}
