// A stand-in for dist/engine-worker.js that follows src/engine/worker/protocol.ts, for the
// EngineJob unit tests. Behaviour is picked by the request: checkDataset specs 'ok', 'bad',
// 'crash', 'garbage', 'silent'; train runs `epochs` epochs of 20 ms, or until cancelled. A train
// config named 'hang' blocks the thread after `started` (a plugin loss stuck in a loop), 'hangEarly'
// before it; 'slowStop' takes 300 ms to stop, logging every 50 ms meanwhile; 'quietStop'
// acknowledges the stop and then takes 600 ms without a word.
const { parentPort, workerData } = require('node:worker_threads');

let cancelled = false;
parentPort.on('message', (msg) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    parentPort.postMessage({ type: 'stopping' });
    return;
  }
  if (msg.type === 'checkDataset') {
    if (msg.spec === 'ok') parentPort.postMessage({ type: 'result', request: 'checkDataset', value: { ok: true, spec: msg.spec, count: 3, workerData } });
    else if (msg.spec === 'bad') parentPort.postMessage({ type: 'error', code: 'setup', message: 'Dataset folder not found: /nope' });
    else if (msg.spec === 'crash') process.exit(3);
    else if (msg.spec === 'garbage') {
      parentPort.postMessage({ nonsense: true });
      console.log('a line on stdout');
      parentPort.postMessage({ type: 'result', request: 'checkDataset', value: 'after garbage' });
    } else if (msg.spec === 'throw') throw new Error('boom in worker');
    // 'silent': never answers
    return;
  }
  if (msg.type === 'listProviders') {
    parentPort.postMessage({ type: 'providers', losses: [{ id: 'segmentation', label: 'Seg', source: 'builtin' }], features: [] });
    return;
  }
  if (msg.type === 'train' && msg.config.name === 'hangEarly') {
    for (;;); // stuck before it reports its run folder
  }
  if (msg.type === 'train') {
    const runId = msg.runId ?? 'run-1';
    const record = { id: runId, status: 'running', config: msg.config };
    parentPort.postMessage({ type: 'event', event: { type: 'started', runId, runDir: msg.runsDir + '/' + runId, record, totalSteps: msg.config.epochs } });
    if (msg.config.name === 'hang') {
      // At once: a stop request read before the loop would be acknowledged, and the test would wait on a live worker.
      for (;;);
    }
    let epoch = 0;
    let stopping = 0;
    const tick = () => {
      if (cancelled && msg.config.name === 'quietStop' && stopping === 0) {
        stopping++;
        setTimeout(tick, 600); // saving, silently
        return;
      }
      if (cancelled && msg.config.name === 'slowStop' && stopping < 6) {
        stopping++;
        parentPort.postMessage({ type: 'event', event: { type: 'log', level: 'info', message: `saving ${stopping}` } });
        setTimeout(tick, 50);
        return;
      }
      if (cancelled) {
        const done = { ...record, status: 'cancelled', epochsCompleted: epoch };
        parentPort.postMessage({ type: 'event', event: { type: 'cancelled', runId, record: done } });
        parentPort.postMessage({ type: 'result', request: 'train', value: done });
        return;
      }
      if (epoch >= msg.config.epochs) {
        const done = { ...record, status: 'finished', epochsCompleted: epoch };
        parentPort.postMessage({ type: 'event', event: { type: 'finished', runId, record: done } });
        parentPort.postMessage({ type: 'result', request: 'train', value: done });
        return;
      }
      epoch++;
      parentPort.postMessage({ type: 'event', event: { type: 'epoch', runId, totalEpochs: msg.config.epochs, record: { type: 'epoch', epoch, losses: {}, val: { dice: 0.5 + epoch / 100, iou: 0.4 }, learningRate: 0.001, imagesPerSecond: 10, etaSeconds: 1, seconds: 0.02, time: '' } } });
      setTimeout(tick, 20);
    };
    setTimeout(tick, 20);
  }
});
