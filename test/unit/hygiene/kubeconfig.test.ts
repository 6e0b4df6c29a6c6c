/**
 * A kubeconfig holds bearer tokens, passwords and client private keys. YAML
 * parsers quote the lines around a syntax error, so a broken kubeconfig must
 * be reported by position only: by the operator's reader, by `sigil seal`
 * (which reaches the controller through the API server) and by
 * `sigil operator`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeError } from "../../../src/core/index.js";
import { loadKubeConfig } from "../../../src/kube/index.js";
import { canary, channels, expectNoLeak, runSigil, tempDir } from "./support.js";
import type { Canary } from "./support.js";

interface Credentials {
  readonly token: Canary;
  readonly password: Canary;
  readonly key: Canary;
}

function kubeconfig(c: Credentials, userBlock: (lines: string[]) => string[]): string {
  const user = [
    "- name: u",
    "  user:",
    `    token: ${c.token.value}`,
    `    username: admin`,
    `    password: ${c.password.value}`,
    `    client-key-data: ${Buffer.from(c.key.value).toString("base64")}`,
  ];
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: c",
    "  cluster:",
    "    server: https://127.0.0.1:1",
    "users:",
    ...userBlock(user),
    "contexts:",
    "- name: c",
    "  context: {cluster: c, user: u}",
    "current-context: c",
    "",
  ].join("\n");
}

interface BrokenCase {
  readonly reason: string;
  readonly userBlock: (lines: string[]) => string[];
}

const CASES: readonly BrokenCase[] = [
  { reason: "a mis-indented line right after the token", userBlock: (l) => [...l.slice(0, 3), "     oops: x", ...l.slice(3)] },
  { reason: "a mis-indented line after the client key", userBlock: (l) => [...l, "   oops: x"] },
  { reason: "a duplicated token key", userBlock: (l) => [...l, l[2] ?? ""] },
  { reason: "a tab before the password", userBlock: (l) => l.map((x) => (x.includes("password") ? `\t${x.trim()}` : x)) },
  { reason: "an unterminated quote around the token", userBlock: (l) => l.map((x) => x.replace("token: ", 'token: "')) },
  { reason: "a block scalar header glued to the token", userBlock: (l) => l.map((x) => x.replace("token: ", "token: |")) },
];

function credentials(): Credentials {
  return { token: canary("token"), password: canary("password"), key: canary("key") };
}

describe("a broken kubeconfig is reported without its credentials", () => {
  it.each(CASES)("by the operator's kubeconfig reader: $reason", async (c) => {
    const dir = tempDir();
    const creds = credentials();
    const path = join(dir, "kubeconfig");
    writeFileSync(path, kubeconfig(creds, c.userBlock));
    const err: unknown = await loadKubeConfig({ path, env: {}, homedir: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    const text = describeError(err);
    expect(text).toContain(path);
    expectNoLeak({ error: text }, creds.token, creds.password, creds.key);
  });

  it.each(CASES)("by sigil seal: $reason", async (c) => {
    const dir = tempDir();
    const creds = credentials();
    writeFileSync(join(dir, "kubeconfig"), kubeconfig(creds, c.userBlock));
    const run = await runSigil(["seal"], { cwd: dir, env: { KUBECONFIG: join(dir, "kubeconfig") }, stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData: {a: b}\n" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/kubeconfig/);
    expectNoLeak(channels(run), creds.token, creds.password, creds.key);
  });

  it("by sigil operator, whose start-up log goes to stderr", async () => {
    const dir = tempDir();
    const creds = credentials();
    writeFileSync(join(dir, "kubeconfig"), kubeconfig(creds, (l) => [...l.slice(0, 3), "     oops: x", ...l.slice(3)]));
    const run = await runSigil(["operator", "--kubeconfig", join(dir, "kubeconfig")], { cwd: dir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/kubeconfig/);
    expectNoLeak(channels(run), creds.token, creds.password, creds.key);
  });
});
