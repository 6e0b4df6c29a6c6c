/**
 * Compatibility with the real sops 3.13.2, both ways, for every store and
 * provider: a file sops encrypts decrypts with `sigil decrypt` to exactly the
 * bytes `sops -d` prints; a file `sigil encrypt` writes decrypts with
 * `sops -d` to the original plaintext.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import { buildProviderRegistry } from "../../../src/providers/index.js";
import { DataKeyCache, decryptFile } from "../../../src/decrypt/index.js";
import type { CliContext } from "../../../src/cli/index.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";
import { peerKeyEnv, vaultTransitUri } from "../../support/sops-peer.js";

interface Ctx {
  dir: string;
  env: Record<string, string>;
  recipient: string;
  kmsArn: string;
  vaultUri: string;
}

const C = {} as Ctx;

function sops(args: string[], env: Record<string, string> = {}): Buffer {
  return execFileSync(peerBin("sops"), args, { cwd: C.dir, env: { PATH: process.env["PATH"] ?? "", ...C.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

async function sigil(args: string[], env: Record<string, string> = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdin: new PassThrough(),
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s)) },
    stderr: { write: (s: string | Uint8Array) => err.push(Buffer.from(s).toString()) },
    env: { ...C.env, ...env },
    cwd: C.dir,
    logger: new Logger({ sink: () => undefined }),
  };
  const code = await runCli(args, ctx);
  if (code !== 0) throw new Error(`sigil ${args.join(" ")} exited ${code}: ${err.join("")}`);
  return Buffer.concat(out);
}

function file(name: string, content: string | Buffer): string {
  writeFileSync(join(C.dir, name), content);
  return name;
}

/** Both directions for one plaintext file and one set of encrypt flags. */
async function bothWays(name: string, content: string | Buffer, flags: string[], globals: string[] = []): Promise<{ sopsEnc: Buffer; sigilEnc: Buffer }> {
  const plain = file(name, content);
  const sopsEnc = sops([...globals, "encrypt", ...flags, plain]);
  const encName = file(`sops-enc-${name}`, sopsEnc);
  const expected = sops(["decrypt", encName]);
  expect((await sigil(["decrypt", encName])).toString("latin1")).toBe(expected.toString("latin1"));
  const sigilEnc = await sigil([...globals, "encrypt", ...flags, plain]);
  const sigName = file(`sigil-enc-${name}`, sigilEnc);
  expect(sops(["decrypt", sigName]).toString("latin1")).toBe(expected.toString("latin1"));
  return { sopsEnc, sigilEnc };
}

const YAML_TYPES = `# a comment at the top
str: "héllo wörld ✓ 😀"
empty: ""
int: 5432
neg: -7
f1: 1e21
f2: 0.0000001
f3: 1234.5678
t: true
f: false
n: null
date: 2024-01-01
multi: |
    line one
    line two
nested:
    # a nested comment
    k: v # inline
    list:
        - a
        - 2
plain_unencrypted: visible
`;

describePeers("sops compatibility (real sops 3.13.2)", () => {
  beforeAll(() => {
    const p = peers();
    C.dir = mkdtempSync(join(tmpdir(), "sigil-sops-compat-"));
    const keygen = execFileSync(peerBin("age-keygen"), [], { encoding: "utf8" });
    writeFileSync(join(C.dir, "keys.txt"), keygen);
    C.recipient = /public key: (age1[0-9a-z]+)/.exec(keygen)?.[1] ?? "";
    C.kmsArn = p.kms.keyArns[0] ?? "";
    C.vaultUri = vaultTransitUri();
    C.env = {
      HOME: C.dir,
      SOPS_DISABLE_VERSION_CHECK: "1",
      SOPS_AGE_KEY_FILE: join(C.dir, "keys.txt"),
      ...peerKeyEnv(),
    };
  });

  it.each([
    { reason: "YAML with unicode, multi-line, floats 1e21 and 0.0000001, booleans, empty values, a date", name: "types.yaml", content: () => YAML_TYPES },
    { reason: "multi-document YAML", name: "multi.yaml", content: () => "a: 1\nb: x\n---\nc: [1, 2]\nd:\n    e: 'q'\n" },
    { reason: "JSON with int64, floats and HTML characters", name: "types.json", content: () => '{"s": "<&> ✓", "i": 9007199254740993, "f": 1e21, "g": 0.0000001, "b": false, "n": null, "l": [1, {"k": ""}], "e": {}}' },
    { reason: "dotenv with = and \\n in values", name: "values.env", content: () => "# comment\nA=b=c\nB=line1\\nline2\nC=\nD= spaced \nE_unencrypted=clear\n" },
    { reason: "INI with sections and comments", name: "values.ini", content: () => "top = 1\n[db]\n; the user\nuser = admin\npass = s3cr=t\n[empty]\n" },
    { reason: "a binary file that is not UTF-8", name: "blob.bin", content: () => Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x41, 0x0a, 0xc3]) },
  ])("age: $name both ways ($reason)", async ({ name, content }) => {
    await bothWays(name, content(), ["--age", C.recipient]);
  });

  it.each([
    { reason: "unencrypted_suffix", flags: ["--unencrypted-suffix", "_plain"], globals: undefined },
    { reason: "encrypted_suffix", flags: ["--encrypted-suffix", "_secret"], globals: undefined },
    { reason: "unencrypted_regex", flags: ["--unencrypted-regex", "^meta"], globals: undefined },
    { reason: "encrypted_regex", flags: ["--encrypted-regex", "^(data|pw_secret)$"], globals: undefined },
    { reason: "unencrypted_comment_regex", flags: [], globals: ["--unencrypted-comment-regex", "sops:clear"] },
    { reason: "encrypted_comment_regex", flags: [], globals: ["--encrypted-comment-regex", "sops:enc"] },
    { reason: "mac_only_encrypted", flags: [], globals: ["--mac-only-encrypted"] },
  ])("age: the $reason rule both ways", async ({ reason, flags, globals }) => {
    const doc = "meta:\n    name: x\ndata:\n    pw_secret: hunter2\n    user_plain: bob\n# sops:clear\nopen: 1\n# sops:enc\nclosed: 2\n";
    const { sigilEnc } = await bothWays(`rule-${reason}.yaml`, doc, ["--age", C.recipient, ...flags], globals ?? []);
    expect(sigilEnc.toString()).toContain(reason === "mac_only_encrypted" ? "mac_only_encrypted: true" : `${reason}: `);
  });

  it("comments inside a YAML list: sigil keeps them as encrypted comments, which sops decrypts (sops itself cannot write them)", async () => {
    const name = file("list-comments.yaml", "lst:\n    # head\n    - a # inline\n    - b\n    # foot\nk: v\n");
    const enc = file("list-comments.enc.yaml", await sigil(["encrypt", "--age", C.recipient, name]));
    expect(readFileSync(join(C.dir, enc), "utf8")).toMatch(/lst:\n {4}#ENC\[/);
    const bySops = sops(["decrypt", enc]).toString();
    expect(bySops).toBe("lst:\n    # head\n    # inline\n    - a\n    - b\n    # foot\nk: v\n");
    expect((await sigil(["decrypt", enc])).toString()).toBe(bySops);
  });

  it("AWS KMS (local-kms) with an encryption context, both ways", async () => {
    const { sigilEnc } = await bothWays("kms.yaml", "password: hunter2\n", ["--kms", C.kmsArn, "--encryption-context", "app:sigil,env:test"]);
    expect(sigilEnc.toString()).toMatch(/context:\n\s+app: sigil\n\s+env: test/);
  });

  it("Vault transit (OpenBao), both ways", async () => {
    const { sigilEnc } = await bothWays("vault.json", '{"token": "t0k3n"}', ["--hc-vault-transit", C.vaultUri]);
    expect(sigilEnc.toString()).toContain('"engine_path": "transit"');
  });

  it("a 2-of-3 key group file mixing age, KMS and Vault, both ways, and with only two providers reachable", async () => {
    file(
      ".sops.yaml",
      `creation_rules:\n  - path_regex: groups\n    shamir_threshold: 2\n    key_groups:\n      - age: [${C.recipient}]\n      - kms:\n          - arn: ${C.kmsArn}\n      - hc_vault: [${C.vaultUri}]\n`,
    );
    const { sopsEnc, sigilEnc } = await bothWays("groups.yaml", "a: secret\nb: 2\n", []);
    // bothWays filled the process-wide data-key cache, so `sigil decrypt` would not ask a provider again:
    // decrypt with a fresh cache each time, so that each decryption has to reach the providers named.
    const missingAge = join(C.dir, "missing.txt");
    const decrypt = (enc: Buffer, vars: Record<string, string>): Promise<Uint8Array> =>
      decryptFile(enc, { registry: buildProviderRegistry({ ...C.env, ...vars }), format: "yaml", cache: new DataKeyCache() }).then((r) => r.plaintext);
    const pairs = [
      { reason: "KMS and Vault (no age identity)", vars: { SOPS_AGE_KEY_FILE: missingAge } },
      { reason: "age and Vault (KMS unreachable)", vars: { AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1" } },
      { reason: "age and KMS (Vault token refused)", vars: { VAULT_TOKEN: "not-a-valid-token" } },
    ];
    for (const [who, enc] of [["sops", sopsEnc], ["sigil", sigilEnc]] as const) {
      for (const { reason, vars } of pairs) expect(Buffer.from(await decrypt(enc, vars)).toString(), `${who}'s file with ${reason}`).toBe("a: secret\nb: 2\n");
      // One provider is not enough: this is what shows the decryptions above asked the providers.
      await expect(decrypt(enc, { SOPS_AGE_KEY_FILE: missingAge, VAULT_TOKEN: "not-a-valid-token" }), `${who}'s file with KMS only`).rejects.toMatchObject({ code: "decrypt.no_matching_key" });
    }
    expect(sigilEnc.toString()).toContain("shamir_threshold: 2");
  });

  it("rotate and updatekeys produce files sops still decrypts", async () => {
    rmSync(join(C.dir, ".sops.yaml"), { force: true });
    const enc = file("rot.yaml", sops(["encrypt", "--age", C.recipient, file("rot-plain.yaml", "x: 1\n")]));
    file("rot2.yaml", await sigil(["rotate", enc]));
    expect(sops(["decrypt", "rot2.yaml"]).toString()).toBe("x: 1\n");
    file(".sops.yaml", `creation_rules:\n  - age: ${C.recipient}\n    kms: ${C.kmsArn}\n`);
    await sigil(["updatekeys", "-y", "rot2.yaml"]);
    expect(readFileSync(join(C.dir, "rot2.yaml"), "utf8")).toContain(C.kmsArn);
    expect(sops(["decrypt", "rot2.yaml"], { SOPS_AGE_KEY_FILE: join(C.dir, "missing.txt") }).toString()).toBe("x: 1\n");
  });
});
