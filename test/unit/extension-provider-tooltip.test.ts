import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegisteredProvider } from '../../src/extension/providers/providerCatalog';
import { escapeMarkdown, providerTooltipMarkdown } from '../../src/extension/providers/providerTooltip';

// CommonMark: a backslash before ASCII punctuation makes it a literal character.
const unescape = (md: string) => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
/** Markdown syntax characters not preceded by a backslash (an escaped backslash counts as text). */
const liveSyntax = (md: string) => [...md.replace(/\\[!-/:-@[-`{-~]/g, '')].filter((c) => '[]()<>*_`!#|~&'.includes(c));

const hostile: RegisteredProvider = {
  kind: 'loss',
  id: 'settings/evil',
  label: '**Tversky** [click me](command:busLab.deleteRun?%5B%22x%22%5D) <img src=x onerror=alert(1)> ![i](https://example.invalid/t.png)\n# heading',
  description: '`code` and _em_ & <b>html</b>',
  modulePath: '/home/u/plugins/[x](y).js',
  source: 'settings',
  origin: 'settings',
};

describe('Providers view tooltip', () => {
  it("renders a plugin's label, description and path as literal text, not Markdown", () => {
    const md = providerTooltipMarkdown(hostile);
    const paragraphs = md.split('\n\n');
    assert.equal(paragraphs.length, 5);
    // Only the bold around the label is Markdown.
    assert.ok(paragraphs[0].startsWith('**') && paragraphs[0].endsWith('**'));
    assert.deepEqual(liveSyntax(paragraphs[0].slice(2, -2)), [], paragraphs[0]);
    for (const p of paragraphs.slice(1)) assert.deepEqual(liveSyntax(p), [], p);
    assert.equal(unescape(paragraphs[0].slice(2, -2)), hostile.label.replace('\n', ' '));
    assert.equal(unescape(paragraphs[2]), hostile.description);
    assert.equal(unescape(paragraphs[4]), `Module: ${hostile.modulePath}`);
  });

  it('escapes a backslash too, so it cannot undo the next escape', () => {
    assert.equal(escapeMarkdown('\\[a]'), '\\\\\\[a\\]');
    assert.equal(unescape(escapeMarkdown('\\[a]')), '\\[a]');
  });
});
