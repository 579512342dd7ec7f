// @ts-check
/**
 * A minimal BUS Lab plugin: registers a Tversky loss provider through the BUS Lab API.
 * Plain JavaScript, no build step. The loss itself lives in ./tversky.js, which the BUS Lab
 * engine loads in its own worker thread (never in this extension host).
 */
'use strict';
const path = require('node:path');
const vscode = require('vscode');

const BUS_LAB_ID = 'bus-lab.bus-lab';

/** @param {import('vscode').ExtensionContext} context */
async function activate(context) {
  const busLab = vscode.extensions.getExtension(BUS_LAB_ID);
  if (!busLab) {
    void vscode.window.showWarningMessage('Custom Loss Plugin needs the BUS Lab extension.');
    return;
  }
  /** @type {import('../../../api/bus-lab-api').BusLabApi} */
  const api = await busLab.activate();
  if (!api || api.apiVersion !== 1) {
    void vscode.window.showWarningMessage(`Custom Loss Plugin supports BUS Lab API version 1, found ${api ? api.apiVersion : 'none'}.`);
    return;
  }
  // Ids are namespaced with this extension's own id: bus-lab-examples.custom-loss-plugin/tversky.
  context.subscriptions.push(
    api.registerLossProvider({
      id: `${context.extension.id}/tversky`,
      label: 'Tversky loss',
      description: '1 - Tversky index (alpha 0.3 on false positives, beta 0.7 on false negatives)',
      modulePath: path.join(context.extensionPath, 'out', 'tversky.js'),
      defaultOptions: { alpha: 0.3, beta: 0.7 },
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
