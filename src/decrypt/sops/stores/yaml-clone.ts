/** Deep copies for alias expansion (the walk mutates trees in place, so aliases must not share nodes). */
import { Comment, TreeMap, isSeq } from "../tree/model.js";
import type { TreeValue } from "../tree/model.js";

/** Count the nodes of a value, stopping early once `limit` is passed. */
export function countNodes(v: TreeValue | Comment, limit: number): number {
  let n = 0;
  const stack: (TreeValue | Comment)[] = [v];
  while (stack.length > 0 && n <= limit) {
    const x = stack.pop() ?? null;
    n++;
    if (x instanceof TreeMap) for (const item of x.items) stack.push(item.value);
    else if (isSeq(x)) stack.push(...x);
  }
  return n;
}

/** A deep copy of a tree value (scalars are immutable and shared). */
export function cloneValue(v: TreeValue): TreeValue {
  if (v instanceof TreeMap) return new TreeMap(v.items.map((i) => ({ key: i.key, value: cloneValue(i.value) }) as typeof i));
  if (isSeq(v)) return v.map((x) => (x instanceof Comment ? x : cloneValue(x)));
  return v;
}
