// Installs Dawn's WebGPU implementation as navigator.gpu. Imported before the tfjs webgpu
// backend, which registers itself only when navigator.gpu exists at import time.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
(globalThis as { navigator?: unknown }).navigator = { gpu: create([]) };
