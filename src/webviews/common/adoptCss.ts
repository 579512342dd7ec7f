/**
 * Imported first by every app: gives Lit the page's CSP nonce (window.litNonce) before any
 * @vscode-elements component is defined, so that its <style> fallback (used only where adopted
 * stylesheets are unavailable) passes `style-src 'nonce-…'`.
 */
const script = document.currentScript as HTMLScriptElement | null;
export const nonce: string = script?.nonce ?? '';
(window as unknown as { litNonce?: string }).litNonce = nonce;

/** Adds CSS text to the document (adopted stylesheet; nonce'd <style> as fallback). */
export function adoptCss(cssText: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.nonce = nonce;
    style.textContent = cssText;
    document.head.appendChild(style);
  }
}
