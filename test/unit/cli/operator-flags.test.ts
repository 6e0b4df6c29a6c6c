import { describe, expect, it } from "vitest";
import { CONTROLLERS, DEFAULT_CONTROLLERS, controllerOptions, keyNamespace, noCrossNamespaceRefs, parseCutoff, parseDuration, parsePairs, refreshJitter, selectControllers, semiSpaceCapped } from "../../../src/cli/commands/operator/index.js";
import { PassThrough } from "node:stream";
import { runCli } from "../../../src/cli/index.js";
import { createOperatorCommand, manualSignals } from "../../../src/cli/commands/operator/index.js";
import { Logger, SigilError } from "../../../src/core/index.js";
import type { OperatorFlags } from "../../../src/cli/commands/operator/index.js";

const defaults: OperatorFlags = {
  controllers: "sealedsecrets",
  healthAddr: "",
  webhookAddr: "127.0.0.1:9292",
  shutdownTimeout: "30s",
  externalSecretsControllerClass: "default",
  externalSecretsRefreshJitter: "0.1",
  rolloutReloaderAnnotation: "false",
  crossNamespaceRefs: "false",
  allNamespaces: "true",
  additionalNamespaces: "",
  listenAddr: "127.0.0.1:8080",
  keyRenewPeriod: "720h",
  keySize: "4096",
  keyTtl: "87600h",
  myCn: "",
  keyPrefix: "sealed-secrets-key",
  privatekeyLabels: "",
  privatekeyAnnotations: "",
  wrapExistingKeys: false,
  rateLimit: "2",
  rateLimitBurst: "2",
  maxUnsealRetries: "5",
  updateStatus: "true",
  skipRecreate: false,
  acceptDeprecatedV1Data: "true",
  resyncPeriod: "0",
  logLevel: "info",
};

describe("sigil operator flags", () => {
  it.each([
    { reason: "hours", text: "720h", ms: 720 * 3_600_000 },
    { reason: "mixed units", text: "1h30m10s", ms: 5_410_000 },
    { reason: "milliseconds", text: "500ms", ms: 500 },
    { reason: "zero turns a period off", text: "0", ms: 0 },
  ])("parses a Go duration: $reason", ({ text, ms }) => {
    expect(parseDuration(text, "--x")).toBe(ms);
  });

  it("rejects a duration without a unit, naming the flag", () => {
    expect(() => parseDuration("30", "--key-renew-period")).toThrow(/--key-renew-period: '30' is not a duration/);
  });

  it("parses the key cutoff time as RFC 1123Z (bitnami) or RFC 3339", () => {
    expect(parseCutoff("Mon, 02 Jan 2006 15:04:05 -0700")?.toISOString()).toBe("2006-01-02T22:04:05.000Z");
    expect(parseCutoff("2026-01-02T03:04:05Z")?.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect(parseCutoff(undefined)).toBeUndefined();
    expect(() => parseCutoff("yesterday")).toThrow(expect.objectContaining({ code: "input.invalid" }) as Error);
  });

  it("reads --no-cross-namespace-refs as commander files it: bare = on, =true/=false, default off, junk refused", () => {
    expect(noCrossNamespaceRefs({ crossNamespaceRefs: "false" })).toBe(false);
    expect(noCrossNamespaceRefs({ crossNamespaceRefs: false })).toBe(true);
    expect(noCrossNamespaceRefs({ crossNamespaceRefs: "true" })).toBe(true);
    expect(() => noCrossNamespaceRefs({ crossNamespaceRefs: "maybe" })).toThrow(/--no-cross-namespace-refs/);
  });

  it("parses k=v lists", () => {
    expect(parsePairs("a=1, b=x=y", "--privatekey-labels")).toEqual({ a: "1", b: "x=y" });
    expect(() => parsePairs("novalue", "--privatekey-labels")).toThrow(/--privatekey-labels: 'novalue' is not key=value/);
  });

  it("finds the controller namespace as bitnami does: flag, POD_NAMESPACE, service account file, default", () => {
    const noFile = (): string => {
      throw new Error("ENOENT");
    };
    expect(keyNamespace("flag", { POD_NAMESPACE: "env" }, noFile)).toBe("flag");
    expect(keyNamespace(undefined, { POD_NAMESPACE: "env" }, noFile)).toBe("env");
    expect(keyNamespace(undefined, {}, () => "from-file\n")).toBe("from-file");
    expect(keyNamespace(undefined, {}, noFile)).toBe("default");
  });

  it("maps flags to controller options with bitnami's defaults and namespace rules", () => {
    const all = controllerOptions(defaults, "kube-system");
    expect(all).toMatchObject({ keyNamespace: "kube-system", watchNamespaces: undefined, listenAddr: "127.0.0.1:8080", keyRenewPeriodMs: 720 * 3_600_000, keySize: 4096, rateLimit: 2, rateLimitBurst: 2, updateStatus: true });
    expect(controllerOptions({ ...defaults, allNamespaces: "false" }, "k").watchNamespaces).toEqual(["k"]);
    expect(controllerOptions({ ...defaults, additionalNamespaces: "a,b" }, "k").watchNamespaces).toEqual(["k", "a", "b"]);
    expect(controllerOptions({ ...defaults, listenAddr: "" }, "k").listenAddr).toBeUndefined();
    expect(controllerOptions({ ...defaults, wrapPrivateKeysWith: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p" }, "k").wrapPrivateKeysWith).toMatchObject({ type: "age" });
  });

  it.each([
    { reason: "a key size below 2048", flags: { keySize: "1024" }, message: /--key-size must be an integer of at least 2048/ },
    { reason: "a non-boolean --update-status", flags: { updateStatus: "maybe" }, message: /--update-status must be true or false/ },
    { reason: "--wrap-existing-keys without a wrapping key", flags: { wrapExistingKeys: true }, message: /--wrap-existing-keys needs --wrap-private-keys-with/ },
    { reason: "a wrapping key of no known kind", flags: { wrapPrivateKeysWith: "gpg:ABC" }, message: /expected an age recipient/ },
  ])("rejects $reason", ({ flags, message }) => {
    expect(() => controllerOptions({ ...defaults, ...flags }, "k")).toThrow(message);
  });
});

describe("the operator's memory hint", () => {
  it.each([
    { execArgv: ["--max-semi-space-size=2"], nodeOptions: undefined, capped: true, reason: "a node flag" },
    { execArgv: [], nodeOptions: "--enable-source-maps --max-semi-space-size=2", capped: true, reason: "NODE_OPTIONS" },
    { execArgv: ["--enable-source-maps"], nodeOptions: "", capped: false, reason: "neither" },
  ])("sees the semi-space cap from $reason", ({ execArgv, nodeOptions, capped }) => {
    expect(semiSpaceCapped(execArgv, nodeOptions)).toBe(capped);
  });
});

describe("sigil operator --controllers", () => {
  const thrown = (f: () => unknown): SigilError => {
    try {
      f();
    } catch (err) {
      if (err instanceof SigilError) return err;
      throw err;
    }
    throw new Error("expected a throw");
  };

  it("selects known controllers in registry order, ignoring blanks and repeats", () => {
    expect(selectControllers(" sealedsecrets, ,sealedsecrets").map((c) => c.name)).toEqual(["sealedsecrets"]);
    expect(CONTROLLERS.map((c) => c.name)).toContain("sealedsecrets");
    expect(selectControllers("externalsecrets").map((c) => c.name)).toEqual(["externalsecrets"]);
    expect(selectControllers("rollout,externalsecrets").map((c) => c.name)).toEqual(["externalsecrets", "rollout"]);
    expect(DEFAULT_CONTROLLERS.split(",")).not.toContain("rollout"); // opt-in: it patches workloads
    expect(DEFAULT_CONTROLLERS.split(",")).toContain("clusterexternalsecrets"); // on, as in ESO
    expect(refreshJitter("0.25")).toBe(0.25);
    for (const bad of ["", "-0.1", "1.5", "x"]) expect(() => refreshJitter(bad)).toThrow(expect.objectContaining({ code: "input.invalid" }));
  });

  it.each([
    { reason: "an unknown name", list: "sealedsecrets,externalsecret", code: "operator.unknown_controller", text: "unknown controller 'externalsecret' (known: sealedsecrets, externalsecrets, clusterexternalsecrets, rollout, gitsources, syncs, receivers)" },
    { reason: "a name in another case", list: "SealedSecrets", code: "operator.unknown_controller", text: "'SealedSecrets'" },
    { reason: "an empty list", list: " , ", code: "input.invalid", text: "names no controller" },
  ])("refuses $reason with $code", ({ list, code, text }) => {
    const err = thrown(() => selectControllers(list));
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    expect(err.subject).toBe("--controllers");
  });

  it("makes `sigil operator --controllers` with an unknown name exit non-zero before reaching any cluster, naming it and its code", async () => {
    const err: string[] = [];
    const ctx = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) }, env: { KUBECONFIG: "/nonexistent/kubeconfig" }, cwd: process.cwd(), logger: new Logger({ sink: () => undefined }) };
    const code = await runCli(["operator", "--controllers", "sealedsecrets,gitsource"], ctx, [createOperatorCommand({ signals: manualSignals })]);
    expect(code).toBe(1);
    expect(err.join("")).toContain("unknown controller 'gitsource'");
    expect(err.join("")).toContain("[operator.unknown_controller]");
  });
});
