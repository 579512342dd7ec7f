// writeFileAtomicSync (the gallery's writer, #17): the same contract as writeFileAtomic — whole
// content or the old one, no temporary file left behind, errors that name the path and operation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomicSync } from '../../src/engine/runs/atomicWrite';

test('writeFileAtomicSync creates the folder, replaces the content and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-atomic-sync-'));
  try {
    const file = join(dir, 'a', 'b', 'x.png');
    writeFileAtomicSync(file, Buffer.from('first'));
    writeFileAtomicSync(file, new Uint8Array(70000).fill(9));
    assert.deepEqual(readFileSync(file), Buffer.alloc(70000, 9));
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['x.png']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomicSync errors name the path and operation; a failed replace removes its temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-atomic-sync-'));
  try {
    writeFileSync(join(dir, 'plain'), 'a file, not a folder');
    assert.throws(() => writeFileAtomicSync(join(dir, 'plain', 'x.png'), Buffer.from('x')), /^FileSystemError: cannot create folder .*plain: .*\((EEXIST|ENOTDIR)\)$/);
    // The target is a non-empty folder: the rename fails after the temporary file was written.
    mkdirSync(join(dir, 'taken', 'inside'), { recursive: true });
    assert.throws(() => writeFileAtomicSync(join(dir, 'taken'), Buffer.from('x')), (err: Error) => err.name === 'FileSystemError' && err.message.startsWith(`cannot replace ${join(dir, 'taken')}: `));
    assert.deepEqual(readdirSync(dir).sort(), ['plain', 'taken']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
