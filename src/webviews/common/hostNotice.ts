/** The two messages every panel's host may send besides its own: a file was saved, or an error to show. */
import type { CommonToWebview } from '../protocol';
import { announce } from './dom';

export function showHostNotice(msg: CommonToWebview, errorBox: HTMLElement): void {
  if (msg.type === 'saved') {
    announce(`Saved ${msg.fileName}`);
    return;
  }
  errorBox.textContent = msg.message;
  errorBox.hidden = false;
}
