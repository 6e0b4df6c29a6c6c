/**
 * Where the YAML reader puts comments between a nested block's last line and
 * a less-indented line. Each expectation is what the real sops 3.13.2 does
 * (the same inputs run against sops in
 * test/integration/sops/differential-regressions.test.ts).
 */
import { describe, expect, it } from "vitest";
import { Comment, TreeMap, storeFor } from "../../../src/decrypt/index.js";
import type { TreeValue } from "../../../src/decrypt/index.js";

const yaml = storeFor("yaml");

/** The comments of every mapping in the document, keyed by its path (`l.a`; the root is ``). */
function commentsByPath(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (v: TreeValue, path: string): void => {
    if (v instanceof TreeMap) {
      const own = v.items.filter((i) => i.key instanceof Comment).map((i) => `#${(i.key as Comment).value}`);
      if (own.length > 0) out[path] = own;
      for (const i of v.items) if (typeof i.key === "string") walk(i.value, path === "" ? i.key : `${path}.${i.key}`);
    } else if (Array.isArray(v)) {
      v.forEach((item, n) => {
        walk(item as TreeValue, `${path}[${n}]`);
      });
    }
  };
  walk(yaml.parsePlain(Buffer.from(text))[0] ?? null, "");
  return out;
}

describe("YAML store: comments before a less-indented line, placed as go-yaml v3 places them", () => {
  it.each([
    { reason: "a comment at the parent's column goes to the innermost block", text: "l:\n  a:\n    x: 1\n  # c\ng: 1\n", want: { "l.a": ["# c"] } },
    { reason: "a comment at the next line's column is the next key's", text: "l:\n  a:\n    x: 1\n# c\ng: 1\n", want: { "": ["# c"] } },
    { reason: "a column change starts a new group; the last group matches the next line", text: "l:\n  a:\n    x: 1\n  # c2\n# c0\ng: 1\n", want: { "l.a": ["# c2"], "": ["# c0"] } },
    {
      reason: "a group at a closing block's indent ends that block's content",
      text: "l:\n  a:\n    x: 1\n# c0\n  # c2\ng: 1\n",
      want: { "l.a": ["# c0"], l: ["# c2"] },
    },
    {
      reason: "one group at each closing block's column",
      text: "l:\n  a:\n    x: 1\n    # c4\n  # c2\n# c0\ng: 1\n",
      want: { "l.a": ["# c4"], l: ["# c2"], "": ["# c0"] },
    },
    {
      reason: "a deeper comment does not start a group (its column is not below the innermost indent)",
      text: "l:\n  a:\n    x: 1\n    # c4\n  # c2\n    # c4b\n# c0\ng: 1\n",
      want: { "l.a": ["# c4"], l: ["# c2", "# c4b"], "": ["# c0"] },
    },
    {
      reason: "a block ends before the earliest comment at its indent, so later groups skip it",
      text: "l:\n  a:\n    b:\n      x: 1\n  # c2\n    # c4\n  # c2b\n# c0\n  # c2c\ng: 1\n",
      want: { "l.a.b": ["# c2"], "l.a": ["# c4"], "": ["# c2b", "# c0", "# c2c"] },
    },
    { reason: "the innermost block is a mapping in a list", text: "l:\n  - x: 1\n    y: 2\n  # c\ng: 1\n", want: { "l[0]": ["# c"] } },
    { reason: "a group that ends a list goes to the block holding the list", text: "l:\n  - x: 1\n# c0\n  # c2\ng: 1\n", want: { "l[0]": ["# c0"], "": ["# c2"] } },
    {
      reason: "a list ends before the comment at its indent, so a deeper comment after it is the enclosing map's",
      text: "m:\n  l:\n    - x: 1\n  # c2\n    # c4\ng: 1\n",
      want: { "m.l[0]": ["# c2"], m: ["# c4"] },
    },
    { reason: "before a key one level up, not at the root", text: "l:\n  a:\n    b:\n      x: 1\n    # c\n  z: 1\ng: 1\n", want: { "l.a.b": ["# c"] } },
  ])("$reason", ({ text, want }) => {
    expect(commentsByPath(text)).toEqual(want);
  });

  it("keeps comments between entries of one block and at the end of the document where they were", () => {
    expect(commentsByPath("a:\n  x: 1\n  # between\n  y: 2\n  # end of a\n# end\n")).toEqual({ a: ["# between", "# end of a"], "": ["# end"] });
  });
});
