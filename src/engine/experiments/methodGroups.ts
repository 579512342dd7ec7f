/**
 * Groups runs into methods: runs whose configurations differ only in the seed (or in where and
 * on what hardware they ran) are replicates of one method. Two runs of `birads` with different
 * lambdas stay two methods even when both are called "birads".
 */
import type { TrainConfig } from '../types';
import type { ComparisonMethod } from './comparisonTypes';
import type { RunEvaluations } from '../runs/evaluationFolder';

/** Config fields that do not change what is being measured. */
const NOT_PART_OF_METHOD: readonly (keyof TrainConfig)[] = ['seed', 'cacheDir', 'nativeModulesPath', 'backend', 'accelerator'];

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function methodKey(config: TrainConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const k of NOT_PART_OF_METHOD) delete rest[k];
  return stableJson(rest);
}

export function methodName(run: RunEvaluations): string {
  return run.record.config.name || run.record.name || run.record.config.method;
}

export interface MethodGroup {
  method: ComparisonMethod;
  members: RunEvaluations[];
}

/** Groups in the order of first appearance; ids are unique. */
export function groupRunsByMethod(runs: readonly RunEvaluations[]): MethodGroup[] {
  const byKey = new Map<string, RunEvaluations[]>();
  for (const r of runs) {
    const key = methodKey(r.record.config);
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const used = new Set<string>();
  const groups: MethodGroup[] = [];
  for (const members of byKey.values()) {
    const first = members[0];
    let id = members.length === 1 ? first.record.id : methodName(first);
    for (let k = 2; used.has(id); k++) id = `${methodName(first)}#${k}`;
    used.add(id);
    groups.push({
      method: {
        id,
        name: methodName(first),
        trainMethod: first.record.config.method,
        runs: members.map((m) => ({ id: m.record.id, dir: m.dir, seed: m.record.config.seed, status: m.record.status })),
      },
      members,
    });
  }
  return groups;
}

/** Finds the baseline by method id, run id, method name or training method (in that order). */
export function findBaseline(groups: readonly MethodGroup[], wanted: string | undefined): MethodGroup {
  if (groups.length === 0) throw new Error('comparison: no runs');
  if (wanted === undefined) return groups[0];
  const tries: ((g: MethodGroup) => boolean)[] = [
    (g) => g.method.id === wanted,
    (g) => g.method.runs.some((r) => r.id === wanted),
    (g) => g.method.name === wanted,
    (g) => g.method.trainMethod === wanted,
  ];
  for (const t of tries) {
    const hits = groups.filter(t);
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new Error(`baseline '${wanted}' is ambiguous: it matches ${hits.map((g) => g.method.id).join(', ')}; give a run id`);
  }
  throw new Error(`baseline '${wanted}' matches no run id or method name (known: ${groups.map((g) => g.method.id).join(', ')})`);
}
