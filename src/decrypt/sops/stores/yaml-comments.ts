/**
 * Where go-yaml v3 (and so sops) puts the full-line comments between the
 * last line of one or more nested blocks and a less-indented line, worked out
 * from the behaviour of the real sops 3.13.2 (see
 * docs/sops-compatibility.md, "Comments after a nested block"):
 *
 * 1. The comments form groups: a comment starts a new group when its column
 *    is less than the innermost block's indent and differs from the column
 *    of the group's first comment. The last group belongs to the next entry
 *    (a head comment) unless the next line's column differs from the group's
 *    column too.
 * 2. Every closing block has an end position: just before the earliest group
 *    that starts at the block's own indent, or else where the block inside it
 *    ended (the first closing block: before all comments).
 * 3. In order, the first group (when not a head) belongs to the value just
 *    read (the innermost block); each later group belongs to the first
 *    closing block whose end position is at or after the group's start,
 *    or else to the block that continues. Head groups never go to a closing
 *    block. A group given to a closing sequence goes to the block holding
 *    that sequence (go-yaml keeps it on the sequence's key).
 */

/** A block open around the comments: its indent and whether it is a sequence. */
export interface OpenBlock {
  readonly indent: number;
  readonly seq: boolean;
}

interface Token {
  /** Position in group units: -1 is the value read last, g is "at group g's start". */
  readonly pos: number;
  readonly owner: number;
  readonly end: boolean;
}

/** Split comment columns into groups; the index of each group's first comment. */
function groupStarts(cols: readonly number[], inner: number): number[] {
  const starts: number[] = [];
  let startCol = Number.NaN;
  cols.forEach((col, i) => {
    if (starts.length === 0 || (col < inner && col !== startCol)) {
      starts.push(i);
      startCol = col;
    }
  });
  return starts;
}

/** The end tokens of the closing blocks (innermost first), then the next entry. */
function tokens(starts: readonly number[], cols: readonly number[], blocks: readonly OpenBlock[], next: number): Token[] {
  const out: Token[] = [{ pos: -1, owner: blocks.length - 1, end: false }];
  let mark = -0.5;
  for (let j = blocks.length - 1; j >= 0; j--) {
    const b = blocks[j];
    if (b === undefined || b.indent <= next) break;
    const first = starts.findIndex((s) => cols[s] === b.indent);
    if (first >= 0) mark = first;
    out.push({ pos: mark, owner: b.seq ? j - 1 : j, end: true });
  }
  out.push({ pos: Number.POSITIVE_INFINITY, owner: -1, end: false });
  return out;
}

/**
 * For comments at columns `cols` that follow the last line of the innermost
 * of `blocks` (outermost first) and precede a line at column `next` (less
 * than the innermost indent), the index in `blocks` of the block each
 * comment belongs to, or -1 for the block that continues at `next`.
 * Never throws.
 */
export function placeDedentComments(cols: readonly number[], blocks: readonly OpenBlock[], next: number): number[] {
  if (cols.length === 0) return [];
  const inner = blocks[blocks.length - 1]?.indent ?? 0;
  const starts = groupStarts(cols, inner);
  const lastCol = cols[starts[starts.length - 1] ?? 0] ?? 0;
  const lastIsHead = !(next < inner && next !== lastCol);
  const owners: number[] = [];
  let g = 0;
  for (const t of tokens(starts, cols, blocks, next)) {
    while (g < starts.length) {
      const head = lastIsHead && g === starts.length - 1;
      const at = g === 0 && !head ? -1 : g;
      if (at > t.pos || (head && t.end)) break;
      owners[g++] = t.owner;
    }
  }
  return cols.map((_, i) => {
    let group = 0;
    while (group + 1 < starts.length && (starts[group + 1] ?? Infinity) <= i) group++;
    return owners[group] ?? -1;
  });
}
