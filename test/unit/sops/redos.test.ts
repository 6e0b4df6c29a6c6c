/**
 * Issue 7, class 1: every regex that comes from input runs on a linear-time
 * RE2 engine. Each case feeds a pattern that is exponential on a
 * backtracking engine (`(a+)+…` against 40+ `a`s that do not match) through
 * a real entry point: the CLI flags, `.sops.yaml` creation rules and
 * `path_regex` (encrypt and updatekeys over a tree), and the selection rule
 * in an encrypted file's own metadata (decrypt). On a backtracking engine
 * each case runs for hours; the bound below is generous (10 s per case; about 0.1 s here).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { sigil, tempDir } from "./cli-support.js";
import type { Run } from "./cli-support.js";
import { AGE_RECIPIENT } from "./helpers.js";

const EVIL = "^(a+)+$";
const RUN = "a".repeat(48);
/** A key or comment made of 48 `a`s and a `!`: the evil pattern cannot match it, and backtracks 2^48 ways. */
const VICTIM = `${RUN}!`;
/** Generous: a loaded CI machine may be slow, a backtracking engine takes hours. */
const BOUND_MS = 10_000;

async function timed(run: () => Promise<Run>): Promise<{ r: Run; ms: number }> {
  const start = performance.now();
  const r = await run();
  return { r, ms: performance.now() - start };
}

describe("regexes from input run in linear time (RE2), at every entry point", () => {
  it.each([
    { flag: "--encrypted-regex", doc: `${VICTIM}: x\nb: y\n` },
    { flag: "--unencrypted-regex", doc: `${VICTIM}: x\nb: y\n` },
    { flag: "--encrypted-comment-regex", doc: `#${VICTIM}\na: x\n` },
    { flag: "--unencrypted-comment-regex", doc: `#${VICTIM}\na: x\n` },
  ])("encrypt $flag finishes fast on a pathological pattern", async ({ flag, doc }) => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.yaml"), doc);
    const { r, ms } = await timed(() => sigil(["encrypt", "--age", AGE_RECIPIENT, flag, EVIL, "p.yaml"], dir));
    expect(r.code, r.err).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it.each(["encrypted_regex", "unencrypted_regex", "encrypted_comment_regex", "unencrypted_comment_regex"])(
    "encrypt with a .sops.yaml creation rule's %s finishes fast",
    async (field) => {
      const dir = tempDir();
      writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - ${field}: '${EVIL}'\n    age: ${AGE_RECIPIENT}\n`);
      writeFileSync(join(dir, "p.yaml"), `#${VICTIM}\n${VICTIM}: x\n`);
      const { r, ms } = await timed(() => sigil(["encrypt", "p.yaml"], dir));
      expect(r.code, r.err).toBe(0);
      expect(ms).toBeLessThan(BOUND_MS);
    },
  );

  it("encrypt matching a .sops.yaml path_regex against a long file name finishes fast", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: '(a+)+\\.yml$'\n    age: ${AGE_RECIPIENT}\n  - age: ${AGE_RECIPIENT}\n`);
    writeFileSync(join(dir, `${RUN}.yaml`), "a: x\n");
    const { r, ms } = await timed(() => sigil(["encrypt", `${RUN}.yaml`], dir));
    expect(r.code, r.err).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("updatekeys over a tree matching path_regex against long file names finishes fast", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "t"));
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${AGE_RECIPIENT}\n`);
    writeFileSync(join(dir, "t", `${RUN}.yaml`), "a: x\n");
    expect((await sigil(["encrypt", "-i", `t/${RUN}.yaml`], dir)).code).toBe(0);
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: '(a+)+\\.yml$'\n    age: ${AGE_RECIPIENT}\n  - age: ${AGE_RECIPIENT}\n`);
    const { r, ms } = await timed(() => sigil(["updatekeys", "--yes", "t"], dir));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("unchanged");
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it.each(["encrypted_regex", "unencrypted_regex", "encrypted_comment_regex", "unencrypted_comment_regex"])(
    "decrypt of a file whose own metadata names a pathological %s finishes fast",
    async (field) => {
      const dir = tempDir();
      writeFileSync(join(dir, "p.yaml"), `#${VICTIM}\n${VICTIM}: x\nb: y\n`);
      const flag = `--${field.replaceAll("_", "-")}`;
      const enc = await sigil(["encrypt", "--age", AGE_RECIPIENT, flag, "^zz$", "p.yaml"], dir);
      expect(enc.code, enc.err).toBe(0);
      expect(enc.out).toContain(`${field}: ^zz$`);
      // The rule is metadata outside the MAC: a hostile file can name any pattern.
      writeFileSync(join(dir, "e.yaml"), enc.out.replace(`${field}: ^zz$`, `${field}: ${EVIL}`));
      const { r, ms } = await timed(() => sigil(["decrypt", "e.yaml"], dir));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`${VICTIM}: x`);
      expect(ms).toBeLessThan(BOUND_MS);
    },
  );
});
