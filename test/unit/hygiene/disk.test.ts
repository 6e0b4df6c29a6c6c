/**
 * Plaintext on disk: only the outputs a command was asked to write may hold
 * it. Each command runs in a fresh directory (its HOME too); afterwards
 * every file written there, and every file written to the system temporary
 * directory during the run, is searched for the canary.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canary, filesUnder, fixturePath, leakForms, modeOf, runSigil, tempDir } from "./support.js";
import type { Canary } from "./support.js";

const AGE_KEY_FILE = fixturePath("sops/age-key.txt");
const RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";
const CERT = fixturePath("sealed-secrets/key1.crt");
const KEY1 = fixturePath("sealed-secrets/key1.pem");
const ENV = { SOPS_AGE_KEY_FILE: AGE_KEY_FILE };

/** Files under the system temporary directory (two levels) changed since `since`, that hold a form of `c`. */
function tmpFilesWith(c: Canary, since: number, skip: string): string[] {
  const forms = leakForms(c).slice(0, 4);
  const hits: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (path === skip) continue;
      try {
        const st = statSync(path);
        if (st.isDirectory() && depth < 2) visit(path, depth + 1);
        else if (st.isFile() && st.mtimeMs >= since && st.size < 1_000_000 && forms.some((f) => readFileSync(path, "latin1").includes(f))) hits.push(path);
      } catch {
        // vanished or unreadable: another test's file
      }
    }
  };
  visit(tmpdir(), 0);
  return hits;
}

/** Names of files under `dir` that hold a form of `c`. */
function filesWith(dir: string, c: Canary): string[] {
  const forms = leakForms(c).slice(0, 4);
  return Object.entries(filesUnder(dir))
    .filter(([, text]) => forms.some((f) => text.includes(f)))
    .map(([name]) => name)
    .sort();
}

describe("plaintext reaches disk only where a command was asked to write it", () => {
  it("sops: encrypt, decrypt to stdout, --output, -i, rotate and --extract", async () => {
    const dir = tempDir();
    const secret = canary();
    const since = Date.now() - 1000;
    writeFileSync(join(dir, "s.yaml"), `password: ${secret.value}\n`);
    const run = (args: string[]) => runSigil(args, { cwd: dir, env: ENV });
    expect((await run(["encrypt", "-i", "--age", RECIPIENT, "s.yaml"])).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual([]);
    expect((await run(["decrypt", "s.yaml"])).code).toBe(0);
    expect((await run(["decrypt", "--extract", '["password"]', "s.yaml"])).code).toBe(0);
    expect((await run(["rotate", "-i", "s.yaml"])).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual([]);
    expect((await run(["decrypt", "--output", "plain.yaml", "s.yaml"])).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual(["plain.yaml"]);
    expect((await run(["decrypt", "-i", "s.yaml"])).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual(["plain.yaml", "s.yaml"]);
    expect(Object.keys(filesUnder(dir)).sort()).toEqual(["plain.yaml", "s.yaml"]);
    expect(tmpFilesWith(secret, since, dir)).toEqual([]);
  });

  it("decrypt -i keeps the encrypted file's mode for the plaintext", async () => {
    const dir = tempDir();
    const secret = canary();
    writeFileSync(join(dir, "s.yaml"), `password: ${secret.value}\n`, { mode: 0o600 });
    expect((await runSigil(["encrypt", "-i", "--age", RECIPIENT, "s.yaml"], { cwd: dir, env: ENV })).code).toBe(0);
    expect((await runSigil(["decrypt", "-i", "s.yaml"], { cwd: dir, env: ENV })).code).toBe(0);
    expect(modeOf(join(dir, "s.yaml"))).toBe(0o600);
  });

  it("sealed secrets: seal, --merge-into and unseal to stdout write no plaintext; unseal -w writes one private file", async () => {
    const dir = tempDir();
    const secret = canary();
    const since = Date.now() - 1000;
    const input = `apiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: prod}\nstringData:\n  password: ${secret.value}\n`;
    writeFileSync(join(dir, "secret.yaml"), input);
    const seal = await runSigil(["seal", "--cert", CERT, "-f", "secret.yaml", "-w", "sealed.yaml"], { cwd: dir });
    expect(seal.code, seal.stderr).toBe(0);
    const merge = await runSigil(["seal", "--cert", CERT, "--merge-into", "sealed.yaml"], { cwd: dir, stdin: input.replace("password", "other") });
    expect(merge.code, merge.stderr).toBe(0);
    expect((await runSigil(["unseal", "--private-key", KEY1, "-f", "sealed.yaml"], { cwd: dir })).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual(["secret.yaml"]);
    expect((await runSigil(["unseal", "--private-key", KEY1, "-f", "sealed.yaml", "-w", "plain.yaml"], { cwd: dir })).code).toBe(0);
    expect(filesWith(dir, secret)).toEqual(["plain.yaml", "secret.yaml"]);
    expect(modeOf(join(dir, "plain.yaml"))).toBe(0o600);
    expect(Object.keys(filesUnder(dir)).sort()).toEqual(["plain.yaml", "sealed.yaml", "secret.yaml"]);
    expect(tmpFilesWith(secret, since, dir)).toEqual([]);
  });
});
