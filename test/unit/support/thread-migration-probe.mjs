// Run by backend-thread-migration.test.ts in a child process, so that a crash is a failed test
// rather than a dead test runner: primitives (an inference plan, training convolutions) created
// in a worker thread that then exits are used again from the main thread and from a new worker.
// With oneDNN's default per-thread scratchpad this crashed (SIGSEGV). Prints "ok".
import { Worker } from 'node:worker_threads';

const addonPath = process.argv[2];
const body = `
const addon = require(${JSON.stringify(addonPath)});
const widths = [16, 32, 64, 128, 256];
const tensors = [];
const add = (n) => tensors.push(new Float32Array(n).fill(0.01));
let cin = 1;
for (let i = 0; i < 4; i++) { add(9 * cin * widths[i]); add(widths[i]); add(9 * widths[i] * widths[i]); add(widths[i]); cin = widths[i]; }
add(9 * widths[3] * widths[4]); add(widths[4]); add(9 * widths[4] * widths[4]); add(widths[4]);
for (let i = 3; i >= 0; i--) { add(4 * widths[i] * widths[i + 1]); add(widths[i]); add(18 * widths[i] * widths[i]); add(widths[i]); add(9 * widths[i] * widths[i]); add(widths[i]); }
add(widths[0]); add(1); add(widths[4]); add(1);
const model = addon.inferenceModel({ baseWidth: 16, depth: 4, classifier: true, winograd: true }, tensors);
addon.inferenceRun(model, new Float32Array(32 * 32).fill(0.5), 1, 32, new Float32Array(32 * 32), new Float32Array(1));
addon.inferenceFree(model);
// A 3x3 training convolution (Winograd-eligible: 16 channels in and out), all three kinds.
const n = 2, h = 8, c = 16;
const floats = n * h * h * c;
const heap = new ArrayBuffer(4 * (2 * floats + 9 * c * c));
const params = new Float64Array([n, h, h, c, h, h, c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 4 * floats, -1, 4 * (floats + 9 * c * c), 0]);
for (const kind of [0, 1, 2]) addon.conv(kind, heap, params);
`;

function inWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(body, { eval: true });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
  });
}

await inWorker();
new Function('require', body)((await import('node:module')).createRequire(import.meta.url));
await inWorker();
process.stdout.write('ok\n');
