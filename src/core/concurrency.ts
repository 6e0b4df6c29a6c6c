/** Bounded concurrency for independent requests (server-side diffs, deletes). */

/**
 * Call `fn` on every item with at most `limit` calls in flight; the results
 * are in the order of `items`. After the first failure no new call starts;
 * the calls in flight are waited for, and the failure of the earliest item
 * (in input order) among those that failed is thrown, so the error does not
 * depend on timing when several items fail.
 * @throws whatever `fn` threw (see above).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failures = new Map<number, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failures.size === 0 && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (err) {
        failures.set(i, err);
      }
    }
  };
  const width = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return results;
}
