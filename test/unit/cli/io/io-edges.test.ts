/**
 * Issue 7, class 6: the edges of I/O through the real CLI as a child
 * process. A full stdout, a reader that went away, a closed or unreadable
 * stdin, and updatekeys questions at the end of stdin each end with one
 * line with a code (or, for a closed pipe, quietly, as Unix tools do) and
 * the right exit status; never a stack trace, never exit 0 having written
 * nothing.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { collect, runSigil, scratchDir, sigilEnv, spawnSigil } from "../../../support/sigil-process.js";
import type { ProcessResult } from "../../../support/sigil-process.js";

const SOPS = fileURLToPath(new URL("../../../fixtures/sops/", import.meta.url));
const SEALED = fileURLToPath(new URL("../../../fixtures/sealed-secrets/", import.meta.url));
const ENCRYPTED = readFileSync(join(SOPS, "comments.sops.yaml"), "utf8");
const SOPS_RECIPIENT = "age1rwfz60zq2ga78j8nslprwme5z7l9xgtg697a422jyntrmtynnsfsd392at";
const OTHER_RECIPIENT = "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw";
const env = sigilEnv({ SOPS_AGE_KEY_FILE: join(SOPS, "age-key.txt") });

/** No stack frame, no source path, no Node internals. */
function expectNoTrace(r: ProcessResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+|Unhandled|Node\.js v/);
}

function expectOneCodedLine(r: ProcessResult, code: string): void {
  expectNoTrace(r);
  expect(r.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`^sigil: .*\\[${code.replace(".", "\\.")}\\]`));
}

let dir: string;
beforeAll(async () => {
  dir = scratchDir();
  writeFileSync(join(dir, "enc.yaml"), ENCRYPTED);
  // A file whose plaintext is far larger than a pipe's buffer.
  writeFileSync(join(dir, "big.yaml"), `big: ${"x".repeat(2_000_000)}\n`);
  const r = await runSigil(["encrypt", "--age", SOPS_RECIPIENT, "--output", "big.sops.yaml", "big.yaml"], { cwd: dir, env });
  expect(r.code).toBe(0);
}, 60_000);

describe("a full stdout (/dev/full)", () => {
  const commands = [
    { reason: "decrypt", args: ["decrypt", "enc.yaml"] },
    { reason: "encrypt", args: ["encrypt", "--age", SOPS_RECIPIENT, "big.yaml"] },
    { reason: "seal", args: ["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml")] },
    { reason: "keygen age", args: ["keygen", "age"] },
    { reason: "--version", args: ["--version"] },
  ];
  for (const c of commands) {
    it(`${c.reason}: one line, output.write_failed, exit 3`, async () => {
      const full = openSync("/dev/full", "w");
      try {
        const r = await runSigil(c.args, { cwd: dir, env, stdio: ["pipe", full, "pipe"] });
        expectOneCodedLine(r, "output.write_failed");
        expect(r.stderr).toContain("sigil: stdout: could not write to stdout");
        expect(r.code).toBe(3);
      } finally {
        closeSync(full);
      }
    });
  }
});

describe("a reader that went away (a closed pipe, as with `| head -c 10`)", () => {
  for (const c of [
    { reason: "decrypt of a large file", args: ["decrypt", "big.sops.yaml"] },
    { reason: "encrypt of a large file", args: ["encrypt", "--age", SOPS_RECIPIENT, "big.yaml"] },
  ]) {
    it(`${c.reason}: exits quietly with 141 (128 + SIGPIPE), as sops and cat do`, async () => {
      const child = spawnSigil(c.args, { cwd: dir, env });
      child.stdout?.destroy(); // the read end is closed before the CLI writes
      const r = await collect(child);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(141);
    });
  }
});

describe("stdin closed, empty or unreadable", () => {
  const cases = [
    { reason: "decrypt, stdin closed", args: ["decrypt"], redirect: "<&-", code: "decrypt.not_encrypted", status: 1 },
    { reason: "decrypt, stdin write-only", args: ["decrypt"], redirect: "0>/dev/null", code: "input.not_found", status: 2 },
    { reason: "encrypt, stdin closed", args: ["encrypt", "--age", SOPS_RECIPIENT], redirect: "<&-", code: "input.invalid", status: 1 },
    { reason: "seal, stdin closed", args: ["seal", "--cert", join(SEALED, "key1.crt")], redirect: "<&-", code: "input.invalid", status: 1 },
    { reason: "seal, stdin write-only", args: ["seal", "--cert", join(SEALED, "key1.crt")], redirect: "0>/dev/null", code: "input.not_found", status: 2 },
    { reason: "unseal, stdin closed", args: ["unseal", "--private-key", join(SEALED, "key1.pem")], redirect: "<&-", code: "input.invalid", status: 1 },
    { reason: "keygen age -y, stdin closed", args: ["keygen", "age", "-y"], redirect: "<&-", code: "input.invalid", status: 1 },
    { reason: "keygen age -y, stdin write-only", args: ["keygen", "age", "-y"], redirect: "0>/dev/null", code: "input.not_found", status: 2 },
  ];
  for (const c of cases) {
    it(`${c.reason}: one line, ${c.code}, exit ${c.status}`, async () => {
      const r = await runSigil(c.args, { cwd: dir, env, shellRedirect: c.redirect });
      expectOneCodedLine(r, c.code);
      expect(r.code).toBe(c.status);
      expect(r.stdout).toBe("");
    });
  }
});

describe("updatekeys questions at the end of stdin", () => {
  /** Two sops files whose rule adds a recipient, so each needs a confirmation. */
  function tree(): string {
    const d = scratchDir();
    writeFileSync(join(d, ".sops.yaml"), `creation_rules:\n  - age: ${SOPS_RECIPIENT},${OTHER_RECIPIENT}\n`);
    writeFileSync(join(d, "a.yaml"), ENCRYPTED);
    writeFileSync(join(d, "b.yaml"), ENCRYPTED);
    return d;
  }
  const cases = [
    { reason: "stdin closed", redirect: "<&-", stdin: undefined, updated: [] as string[] },
    { reason: "stdin at its end at once", redirect: undefined, stdin: "", updated: [] as string[] },
    { reason: "stdin from /dev/null", redirect: "</dev/null", stdin: undefined, updated: [] as string[] },
    { reason: "one answer, then the end", redirect: undefined, stdin: "y\n", updated: ["a.yaml"] },
  ];
  for (const c of cases) {
    it(`${c.reason}: stops with input.closed, exit 1, unanswered files unchanged`, async () => {
      const d = tree();
      const r = await runSigil(["updatekeys", "a.yaml", "b.yaml"], {
        cwd: d,
        env: { ...env, SOPS_AGE_KEY_FILE: join(SOPS, "age-key.txt"), SOPS_AGE_RECIPIENTS: "" },
        ...(c.redirect === undefined ? {} : { shellRedirect: c.redirect }),
        ...(c.stdin === undefined ? {} : { stdin: c.stdin }),
      });
      expectNoTrace(r);
      const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("sigil: "));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(/stdin ended before the question was answered.*\[input\.closed\]$/);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/failed \(stdin ended/);
      for (const f of ["a.yaml", "b.yaml"]) {
        const changed = readFileSync(join(d, f), "utf8") !== ENCRYPTED;
        expect(changed).toBe(c.updated.includes(f));
      }
    });
  }
});
