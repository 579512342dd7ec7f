/**
 * Bounded concurrency: at most `limit` tasks in flight. File reads and zlib inflation overlap with
 * decoding this way, without opening hundreds of files at once.
 */
export async function mapLimit<T, R>(values: readonly T[], limit: number, task: (value: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      const i = next++;
      results[i] = await task(values[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, worker));
  return results;
}
