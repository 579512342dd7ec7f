/**
 * The calling convention between the engine and the native accelerator: a version number and the
 * size of every operation's parameter block. The addon exports its own (`abi`, from
 * native/accelerator/accelerator.h); an addon whose version or any block size differs comes from
 * another build and is not used, so it can never be handed a block it would read differently.
 */

/** Mirrors kAbiVersion in native/accelerator/accelerator.h; bump both together. */
export const ACCELERATOR_ABI_VERSION = 2;

/** Values in each operation's Float64Array parameter block (the k*Params in accelerator.h). */
export const ACCELERATOR_PARAMS = {
  conv: 22,
  copyColumns: 6,
  maxPoolGrad: 15,
  batchNormReluForward: 9,
  batchNormReluBackward: 12,
  adamUpdate: 14,
} as const;

export interface AcceleratorAbi {
  version: number;
  params: Record<string, number>;
}

/**
 * Why the addon's exports cannot be used with this engine, in one clause, or undefined when its
 * calling convention is this engine's.
 */
export function abiMismatch(exports: unknown): string | undefined {
  const rebuild = 'another build; npm run build:native rebuilds it';
  const abi = (exports as { abi?: Partial<AcceleratorAbi> } | null)?.abi;
  if (typeof abi !== 'object' || abi === null || typeof abi.version !== 'number') {
    return `it reports no ABI version, the engine needs ABI ${ACCELERATOR_ABI_VERSION} (${rebuild})`;
  }
  if (abi.version !== ACCELERATOR_ABI_VERSION) {
    return `it speaks ABI ${abi.version}, the engine ABI ${ACCELERATOR_ABI_VERSION} (${rebuild})`;
  }
  for (const [op, count] of Object.entries(ACCELERATOR_PARAMS)) {
    const theirs = abi.params?.[op];
    if (theirs !== count) {
      return `its ${op} takes ${theirs === undefined ? 'no' : theirs} parameters, the engine passes ${count} (${rebuild})`;
    }
  }
  return undefined;
}
