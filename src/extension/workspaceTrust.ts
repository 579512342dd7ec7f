/**
 * Restricted Mode: training, resuming and evaluating (which load plugin modules and native
 * TensorFlow) are refused in an untrusted workspace with one clear message.
 */
import * as vscode from 'vscode';

export class UntrustedWorkspaceError extends Error {
  override name = 'UntrustedWorkspaceError';
}

export function untrustedMessage(action: string): string {
  return `${action} is disabled in Restricted Mode: BUS Lab runs the training engine and plugin code only in trusted workspaces.`;
}

/** True when trusted; otherwise shows the message (with "Manage Workspace Trust") and returns false. */
export function checkTrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(untrustedMessage(action), 'Manage Workspace Trust').then((picked) => {
    if (picked) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/** For the API: throws UntrustedWorkspaceError instead of showing a message. */
export function assertTrusted(action: string): void {
  if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError(untrustedMessage(action));
}
