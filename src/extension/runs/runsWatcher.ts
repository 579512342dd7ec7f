/**
 * Watches the runs folder so that runs made or changed by the CLI (or another window) appear
 * live. Uses a FileSystemWatcher with a RelativePattern on the folder's URI, which works for
 * folders outside the workspace too; while the folder does not exist yet, polls for it.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunsRepository } from './runsRepository';

const POLL_MS = 2000;

export function watchRunsDirectory(repository: RunsRepository): vscode.Disposable {
  let watcher: vscode.FileSystemWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let watching = '';

  const stop = () => {
    watcher?.dispose();
    watcher = undefined;
    if (poll) clearInterval(poll);
    poll = undefined;
  };

  const start = () => {
    stop();
    const dir = repository.directory;
    watching = dir;
    if (!existsSync(dir)) {
      poll = setInterval(() => {
        if (existsSync(dir)) {
          start();
          repository.scheduleRefresh(0);
        }
      }, POLL_MS);
      return;
    }
    watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*'));
    const changed = (uri: vscode.Uri) => {
      // Only what the Runs view shows: run.json (rewritten every epoch), summaries, folders coming
      // and going. metrics.jsonl grows every step and holds nothing the tree displays.
      if (/(run\.json|summary\.json)$/.test(uri.path) || !/\.[a-z0-9]+$/i.test(uri.path)) repository.scheduleRefresh();
    };
    watcher.onDidCreate(changed);
    watcher.onDidChange(changed);
    watcher.onDidDelete((uri) => {
      repository.scheduleRefresh();
      if (uri.fsPath === dir) start(); // the folder itself went away: poll until it is back
    });
  };

  start();
  const directoryListener = repository.onDidChangeDirectory((dir) => {
    if (dir !== watching) start();
  });
  return new vscode.Disposable(() => {
    directoryListener.dispose();
    stop();
  });
}
