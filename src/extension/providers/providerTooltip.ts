/**
 * The Providers view's tooltip as Markdown source. A provider's label, id, description and path
 * come from plugins (any installed extension, or a settings file), so every one of them is
 * escaped: a label like `[Run](command:...)` or `<img src=...>` shows as the text it is, never as
 * a link, an image or HTML. No `vscode` import (the tree wraps it in an untrusted MarkdownString).
 */
import type { RegisteredProvider } from './providerCatalog';

const ORIGIN_TEXT: Record<RegisteredProvider['origin'], string> = {
  builtin: 'built into the engine',
  contribution: 'declared in package.json',
  api: 'registered through the API',
  settings: 'from the busLab.plugins setting',
};

/** `text` as literal Markdown: every ASCII punctuation character backslash-escaped, line breaks as spaces. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** The tooltip's Markdown: the label in bold, then id, description, source and module path, one paragraph each. */
export function providerTooltipMarkdown(p: RegisteredProvider): string {
  const lines = [`**${escapeMarkdown(p.label)}**`, escapeMarkdown(p.id)];
  if (p.description) lines.push(escapeMarkdown(p.description));
  lines.push(escapeMarkdown(`Source: ${p.source} (${ORIGIN_TEXT[p.origin]})`));
  if (p.modulePath) lines.push(escapeMarkdown(`Module: ${p.modulePath}`));
  return lines.join('\n\n');
}
