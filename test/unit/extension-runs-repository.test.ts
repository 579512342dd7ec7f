import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunsRepository } from '../../src/extension/runs/runsRepository';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';

function writeRun(runsDir: string, id: string, createdAt: string) {
  mkdirSync(join(runsDir, id), { recursive: true });
  const config = completeTrainConfig({ method: 'mtl', train: 'synthetic:site-a', epochs: 2 }, DEFAULT_TRAIN_SETTINGS);
  writeFileSync(join(runsDir, id, 'run.json'), JSON.stringify({ formatVersion: 1, id, name: 'mtl', status: 'finished', config, versions: {}, createdAt, updatedAt: createdAt, epochsCompleted: 2, evaluated: [] }));
}

describe('RunsRepository', () => {
  it('lists, fires onDidChange only when the listing changes, and finds runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-repo-'));
    const repo = new RunsRepository(dir);
    let changes = 0;
    repo.onDidChange(() => changes++);
    assert.deepEqual(await repo.refresh(), []);
    writeRun(dir, 'a', '2026-01-01T00:00:00Z');
    assert.equal((await repo.refresh()).length, 1);
    const afterFirst = changes;
    await repo.refresh();
    assert.equal(changes, afterFirst, 'no change, no event');
    assert.equal(repo.find('a')?.id, 'a');
    rmSync(join(dir, 'a'), { recursive: true });
    assert.deepEqual(await repo.refresh(), []);
    assert.equal(changes, afterFirst + 1);
    repo.dispose();
  });

  it('settles every concurrent refresh (no endless chain) and the last one sees the latest state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-repo-'));
    const repo = new RunsRepository(dir);
    const calls = Array.from({ length: 20 }, (_, i) => {
      if (i === 10) writeRun(dir, 'late', '2026-01-02T00:00:00Z');
      return repo.refresh();
    });
    const results = await Promise.all(calls);
    assert.equal(results.at(-1)!.length, 1);
    repo.scheduleRefresh(0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await repo.refresh()).length, 1);
    repo.dispose();
  });

  it('switches folder and re-reads', async () => {
    const a = mkdtempSync(join(tmpdir(), 'bus-lab-repo-'));
    const b = mkdtempSync(join(tmpdir(), 'bus-lab-repo-'));
    writeRun(b, 'in-b', '2026-01-01T00:00:00Z');
    const repo = new RunsRepository(a);
    const seen: string[] = [];
    repo.onDidChangeDirectory((d) => seen.push(d));
    repo.setDirectory(b);
    assert.deepEqual(seen, [b]);
    assert.equal((await repo.refresh())[0].id, 'in-b');
    repo.dispose();
  });
});
