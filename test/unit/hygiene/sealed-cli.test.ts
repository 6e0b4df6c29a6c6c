/**
 * Secrets hygiene of `sigil seal`, `sigil unseal` and `sigil keygen`, driven
 * in-process through their failure paths with canary plaintexts: the
 * plaintext Secret given to `seal`, the values `unseal` opens and the
 * private keys it loads never reach stderr, a log line or the real process
 * streams; files holding plaintext or private keys are private (0600).
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canary, channels, expectNoLeak, filesUnder, fixturePath, modeOf, runSigil, tempDir } from "./support.js";
import { parseCertificate, sealRaw } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import type { Canary, Run } from "./support.js";

const CERT = fixturePath("sealed-secrets/key1.crt");
const KEY1 = fixturePath("sealed-secrets/key1.pem");
const KEY2 = fixturePath("sealed-secrets/key2.pem");
const KEY1_BACKUP = fixturePath("sealed-secrets/key1-secret-backup.yaml");
/** The plaintext of the v1 case (its blob is made inside the case, so it is checked too). */
const v1Secret = canary("v1");

function sigil(args: readonly string[], cwd: string, stdin?: string, env: Record<string, string> = {}): Promise<Run> {
  return runSigil(args, { cwd, env, ...(stdin === undefined ? {} : { stdin }) });
}

function secretYaml(c: Canary, extra = ""): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  namespace: prod\nstringData:\n  password: ${c.value}\n${extra}`;
}

/** True when `text` holds any `width`-character window of `secret` (a partial quote of key material). */
function sharesWindow(text: string, secret: string, width = 16): boolean {
  for (let i = 0; i + width <= secret.length; i += 4) if (text.includes(secret.slice(i, i + width))) return true;
  return false;
}

/** A change giving the SealedSecret these template data. */
function withTemplate(data: Record<string, string>): (ss: SealedSecretObject) => void {
  return (ss) => {
    ss.spec.template = { ...ss.spec.template, data };
  };
}

/** Seal `yaml` with the fixture certificate and return the SealedSecret JSON. */
async function sealed(dir: string, yaml: string): Promise<SealedSecretObject> {
  const run = await sigil(["seal", "--cert", CERT], dir, yaml);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as SealedSecretObject;
}

describe("sigil seal failure paths keep the plaintext Secret out of stderr and logs", () => {
  interface SealCase {
    readonly reason: string;
    readonly input: (c: Canary) => string;
    readonly args?: readonly string[];
    readonly message: RegExp;
  }
  const CASES: readonly SealCase[] = [
    { reason: "JSON with an unquoted secret (the JSON parser quotes the text it stopped at)", input: (c) => `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","namespace":"b"},"stringData":{"p":${c.value}}}`, message: /not valid json/ },
    { reason: "JSON cut short after a secret", input: (c) => `{"kind":"Secret","stringData":{"p":"${c.value}`, message: /json/ },
    { reason: "JSON with junk after a secret", input: (c) => `{"kind":"Secret","stringData":{"p":"${c.value}" ${c.value}}}`, message: /not valid json/ },
    { reason: "YAML with a block scalar header glued to the secret", input: (c) => secretYaml(c).replace("password: ", "password: |"), message: /not valid yaml/ },
    { reason: "YAML with a folded scalar header glued to the secret", input: (c) => secretYaml(c).replace("password: ", "password: >"), message: /not valid yaml/ },
    { reason: "YAML with a mis-indented line after the secret", input: (c) => secretYaml(c, ` ${c.value}: x\n`), message: /not valid yaml/ },
    { reason: "YAML with an unterminated quote around the secret", input: (c) => secretYaml(c).replace(`password: ${c.value}`, `password: "${c.value}`), message: /not valid yaml/ },
    { reason: "YAML with a tab before the secret", input: (c) => secretYaml(c, `\t${c.value}: x\n`), message: /not valid yaml/ },
    { reason: "data that is not base64", input: (c) => secretYaml(c, `data:\n  token: "${c.value}!!"\n`), message: /not valid padded base64/ },
    { reason: "a stringData value that is not a string", input: (c) => secretYaml(c, `  nested: {inner: ${c.value}}\n`), message: /must be a string/ },
    { reason: "a Secret without a name", input: (c) => secretYaml(c).replace("  name: app\n", ""), message: /missing metadata\.name/ },
    { reason: "a namespace other than --namespace", input: (c) => secretYaml(c), args: ["--namespace", "other"], message: /namespace mismatch/ },
    { reason: "a kind other than Secret", input: (c) => secretYaml(c).replace("kind: Secret", "kind: ConfigMap"), message: /expected a Secret/ },
    { reason: "--raw with the strict scope and no --name", input: (c) => c.value, args: ["--raw", "--namespace", "prod"], message: /--name/ },
    { reason: "a certificate file that does not exist", input: (c) => secretYaml(c), args: ["--cert", "/nonexistent/cert.pem"], message: /input\.not_found/ },
    { reason: "a certificate that is not one", input: (c) => secretYaml(c), args: ["--cert", KEY1], message: /cert/ },
  ];

  it.each(CASES)("$reason", async (c) => {
    const dir = tempDir();
    const secret = canary();
    const args = c.args?.includes("--cert") === true ? ["seal", ...c.args] : ["seal", "--cert", CERT, ...(c.args ?? [])];
    const run = await sigil(args, dir, c.input(secret));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(c.message);
    expectNoLeak(channels(run), secret);
  });

  it("--merge-into a file that does not parse names the file, not its content", async () => {
    const dir = tempDir();
    const secret = canary();
    writeFileSync(join(dir, "target.yaml"), "kind: SealedSecret\nspec: [unclosed\n");
    const run = await sigil(["seal", "--cert", CERT, "--merge-into", "target.yaml"], dir, secretYaml(secret));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("target.yaml");
    expect(run.stderr).not.toContain("unclosed");
    expectNoLeak(channels(run), secret);
  });
});

describe("sigil unseal failure paths keep unsealed values and private keys out of stderr and logs", () => {
  interface UnsealCase {
    readonly reason: string;
    /** Change the sealed object (parsed JSON) into the bad input. */
    readonly change: (ss: SealedSecretObject) => void;
    readonly key?: string;
    readonly message: RegExp;
  }
  const CASES: readonly UnsealCase[] = [
    { reason: "the wrong private key", change: () => undefined, key: KEY2, message: /sealed\.no_key/ },
    { reason: "a renamed SealedSecret (strict scope)", change: (ss) => void (ss.metadata.name = "renamed"), message: /sealed\.scope_mismatch/ },
    { reason: "a template calling an unknown function on the value", change: withTemplate({ out: "{{ .password | nosuch }}" }), message: /template_failed/ },
    { reason: "a template decoding the value as base64", change: withTemplate({ out: "{{ .password | b64dec }}" }), message: /b64dec/ },
    { reason: "a template printing the whole data map", change: withTemplate({ out: "{{ . }}" }), message: /template_failed/ },
    { reason: "a template with a printf verb taken from the value", change: withTemplate({ out: '{{ printf .password "x" }}' }), message: /template_failed/ },
    { reason: "a template with a syntax error", change: withTemplate({ out: "{{ .password " }), message: /template_failed/ },
    {
      reason: "a blob with its AES-GCM part tampered with",
      change: (ss) => {
        const blob = Buffer.from(ss.spec.encryptedData["password"] ?? "", "base64");
        blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 1;
        ss.spec.encryptedData["password"] = blob.toString("base64");
      },
      message: /sealed\.invalid_blob/,
    },
    {
      reason: "a deprecated v1 spec.data whose plaintext is not JSON (the JSON parser would quote it)",
      change: (ss) => {
        const publicKey = parseCertificate(readFileSync(CERT, "utf8"), "key1.crt").publicKey;
        ss.spec.data = sealRaw(Buffer.from(`{"stringData": {"password": ${v1Secret.value}}}`), { scope: "strict", namespace: "prod", name: "app" }, publicKey);
        ss.spec.encryptedData = {};
      },
      message: /spec\.data does not hold a json secret/,
    },
    {
      reason: "one good and one undecryptable value (errors for several keys are combined)",
      change: (ss) => void (ss.spec.encryptedData["broken"] = Buffer.alloc(600, 7).toString("base64")),
      message: /encryptedData "broken"/,
    },
  ];

  it.each(CASES)("$reason", async (c) => {
    const dir = tempDir();
    const secret = canary();
    const ss = await sealed(dir, secretYaml(secret));
    c.change(ss);
    const run = await sigil(["unseal", "--private-key", c.key ?? KEY1], dir, JSON.stringify(ss));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(c.message);
    expect(run.stdout).toBe("");
    expectNoLeak(channels(run), secret, v1Secret);
    const pem = readFileSync(c.key ?? KEY1, "utf8");
    for (const [where, text] of Object.entries(channels(run))) expect(sharesWindow(text, pem.replace(/-----[A-Z ]+-----|\s/g, "")), where).toBe(false);
  });

  it("a key backup whose JSON is broken next to the private key does not quote the key", async () => {
    const dir = tempDir();
    const backup = readFileSync(KEY1_BACKUP, "utf8");
    const tlsKey = /tls\.key: (\S+)/.exec(backup)?.[1] ?? "";
    expect(tlsKey.length).toBeGreaterThan(1000);
    writeFileSync(join(dir, "backup.json"), `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"type":"kubernetes.io/tls","data":{"tls.key":${tlsKey}}}`);
    const run = await sigil(["unseal", "--private-key", "backup.json"], dir, "{}");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/not valid json/);
    for (const [where, text] of Object.entries(channels(run))) expect(sharesWindow(text, tlsKey, 12), `${where}: ${text}`).toBe(false);
  });

  it("a key file holding a broken PEM block does not quote it", async () => {
    const dir = tempDir();
    const pem = readFileSync(KEY1, "utf8");
    const lines = pem.split("\n");
    const broken = [...lines.slice(0, 5), "!!!!", ...lines.slice(5)].join("\n");
    writeFileSync(join(dir, "broken.pem"), broken);
    const run = await sigil(["unseal", "--private-key", "broken.pem"], dir, "{}");
    expect(run.code).not.toBe(0);
    for (const [where, text] of Object.entries(channels(run))) expect(sharesWindow(text, pem.replace(/-----[A-Z ]+-----|\s/g, "")), where).toBe(false);
  });

  it("writes the unsealed Secret with -w to a file only its owner can read, and prints nothing", async () => {
    const dir = tempDir();
    const secret = canary();
    const ss = await sealed(dir, secretYaml(secret));
    const run = await sigil(["unseal", "--private-key", KEY1, "-w", "plain.yaml"], dir, JSON.stringify(ss));
    expect(run.code, run.stderr).toBe(0);
    expectNoLeak(channels(run), secret);
    expect(readFileSync(join(dir, "plain.yaml"), "utf8")).toContain(Buffer.from(secret.value).toString("base64"));
    expect(modeOf(join(dir, "plain.yaml"))).toBe(0o600);
    expect(Object.keys(filesUnder(dir))).toEqual(["plain.yaml"]);
  });
});

describe("sigil keygen writes private keys only to private files", () => {
  it("keygen age -o --force over an existing world-readable file leaves it 0600", async () => {
    const dir = tempDir();
    const file = join(dir, "keys.txt");
    writeFileSync(file, "old\n");
    chmodSync(file, 0o644);
    const run = await sigil(["keygen", "age", "-o", "keys.txt", "--force"], dir);
    expect(run.code, run.stderr).toBe(0);
    const identity = /AGE-SECRET-KEY-1\S+/.exec(readFileSync(file, "utf8"))?.[0] ?? "";
    expect(identity).not.toBe("");
    expect(modeOf(file)).toBe(0o600);
    expectNoLeak(channels(run), { value: identity, cores: [identity.slice(16)] });
  });

  it("keygen age prints the identity only on stdout when no file is given", async () => {
    const dir = tempDir();
    const run = await sigil(["keygen", "age"], dir);
    expect(run.code).toBe(0);
    const identity = /AGE-SECRET-KEY-1\S+/.exec(run.stdout)?.[0] ?? "";
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[A-Z0-9]{58}$/);
    expectNoLeak(channels(run, false), { value: identity, cores: [identity.slice(16)] });
  });

  it("keygen sealed --force over an existing world-readable tls.key leaves it 0600", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tls.key"), "old\n");
    chmodSync(join(dir, "tls.key"), 0o644);
    const run = await sigil(["keygen", "sealed", "--key-size", "2048", "--force", "--from-key", KEY1], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(modeOf(join(dir, "tls.key"))).toBe(0o600);
    const pem = readFileSync(join(dir, "tls.key"), "utf8");
    for (const [where, text] of Object.entries(channels(run))) expect(sharesWindow(text, pem.replace(/-----[A-Z ]+-----|\s/g, "")), where).toBe(false);
  });
});
