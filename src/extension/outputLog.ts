/** The "BUS Lab" output channel: the full log of training, evaluation and plugin problems. */
import * as vscode from 'vscode';

export interface Log {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  show(): void;
}

export function createOutputLog(context: vscode.ExtensionContext): Log {
  const channel = vscode.window.createOutputChannel('BUS Lab', { log: true });
  context.subscriptions.push(channel);
  return {
    info: (line) => channel.info(line),
    warn: (line) => channel.warn(line),
    error: (line) => channel.error(line),
    show: () => channel.show(true),
  };
}

/** Shows one error message with a "Show Log" button (and any extra actions); resolves to the action picked. */
export async function showError(log: Log, message: string, ...actions: string[]): Promise<string | undefined> {
  log.error(message);
  const picked = await vscode.window.showErrorMessage(message, ...actions, 'Show Log');
  if (picked === 'Show Log') log.show();
  return picked;
}
