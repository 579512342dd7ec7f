/** What the extension-host tests share: our extension, its API, the example plugin, a tiny config. */
import * as vscode from 'vscode';
import type { BusLabApi, BusLabTrainConfig } from '../../../api/bus-lab-api';

export const EXTENSION_ID = process.env.BUS_LAB_E2E_EXTENSION_ID || 'bus-lab.bus-lab';
export const PLUGIN_ID = 'bus-lab-examples.custom-loss-plugin';
export const TVERSKY_ID = `${PLUGIN_ID}/tversky`;

/** The tiny synthetic run: seconds on a CPU. */
export const TINY_CONFIG: Partial<BusLabTrainConfig> = {
  method: 'mtl',
  train: 'synthetic:site-a?count=16',
  external: ['synthetic:site-b?count=8'],
  epochs: 1,
  imageSize: 32,
  batchSize: 4,
};

export async function busLabApi(): Promise<BusLabApi> {
  const ext = vscode.extensions.getExtension<BusLabApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export function busLabExtension(): vscode.Extension<BusLabApi> {
  const ext = vscode.extensions.getExtension<BusLabApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext;
}

/** Resolves on the next event, or rejects after `ms`. */
export function nextEvent(event: vscode.Event<void>, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`${what} did not fire within ${ms} ms`));
    }, ms);
    const subscription = event(() => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}
