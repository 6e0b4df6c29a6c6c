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

/**
 * How deep a value nests (a scalar is 0, `[x]` is 1), counted without
 * recursion; stops once `limit` is passed and returns a value above it.
 */
export function nestingDepth(v: TreeValue | Comment, limit: number): number {
  let deepest = 0;
  const stack: { x: TreeValue | Comment; d: number }[] = [{ x: v, d: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { x, d } = top;
    if (!(x instanceof TreeMap) && !isSeq(x)) continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest > limit) return deepest;
    if (x instanceof TreeMap) for (const item of x.items) stack.push({ x: item.value, d: d + 1 });
    else for (const item of x) stack.push({ x: item, d: d + 1 });
  }
  return deepest;
}

/** A deep copy of a tree value (scalars are immutable and shared). */
export function cloneValue(v: TreeValue): TreeValue {
  if (v instanceof TreeMap) return new TreeMap(v.items.map((i) => ({ key: i.key, value: cloneValue(i.value) }) as typeof i));
  if (isSeq(v)) return v.map((x) => (x instanceof Comment ? x : cloneValue(x)));
  return v;
}
