/**
 * Parsing `sigil operator` flags into controller options. Flag names and
 * value syntax follow bitnami's controller where it has the same setting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SigilError, parseGoBool, parseGoDuration } from "../../../core/index.js";
import { parseWrapRef } from "../../../decrypt/sealed-secrets/index.js";
import { SERVICE_ACCOUNT_DIR } from "../../../kube/index.js";
import type { SealedSecretsControllerOptions } from "../../../operator/index.js";

/** The controller namespace, as bitnami finds its own. */
export const POD_NAMESPACE_ENV = "POD_NAMESPACE";
/** Where a pod's service account namespace is mounted. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = join(SERVICE_ACCOUNT_DIR, "namespace");

/** Raw flag values as commander gives them. */
export interface OperatorFlags {
  controllers: string;
  healthAddr: string;
  /** `host:port` of the `receivers` controller's webhook server. */
  webhookAddr: string;
  shutdownTimeout: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: string;
  additionalNamespaces: string;
  labelSelector?: string;
  listenAddr: string;
  keyRenewPeriod: string;
  keyCutoffTime?: string;
  keySize: string;
  keyTtl: string;
  myCn: string;
  keyPrefix: string;
  privatekeyLabels: string;
  privatekeyAnnotations: string;
  wrapPrivateKeysWith?: string;
  wrapExistingKeys: boolean;
  rateLimit: string;
  rateLimitBurst: string;
  maxUnsealRetries: string;
  updateStatus: string;
  skipRecreate: boolean;
  acceptDeprecatedV1Data: string;
  resyncPeriod: string;
  externalSecretsControllerClass: string;
  externalSecretsRefreshJitter: string;
  /** `rollout`: also follow stakater Reloader's `secret.reloader.stakater.com/reload`. */
  rolloutReloaderAnnotation: string;
  /** syncs: the ServiceAccount Syncs that name none impersonate (Flux's --default-service-account). */
  defaultServiceAccount?: string;
  /**
   * syncs: `--no-cross-namespace-refs` (Flux's). Commander files a `--no-` flag under the name without
   * `no`: a bare flag gives `false`, `--no-cross-namespace-refs=<bool>` gives the string. Read with {@link noCrossNamespaceRefs}.
   */
  crossNamespaceRefs: string | boolean;
  logLevel: string;
}

/**
 * A non-negative Go duration (`720h`, `1h30m`, `90s`, `500ms`, `0`) in milliseconds.
 * @throws SigilError `input.invalid` naming the flag.
 */
export function parseDuration(text: string, flag: string): number {
  const ms = parseGoDuration(text, flag);
  if (ms < 0) throw new SigilError("input.invalid", `${flag}: '${text}' is a negative duration`, { subject: flag });
  return ms;
}

/**
 * A non-negative integer flag.
 * @throws SigilError `input.invalid` naming the flag.
 */
export function parseCount(text: string, flag: string, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new SigilError("input.invalid", `${flag} must be an integer of at least ${min}, got '${text}'`);
  return n;
}

/**
 * A Go-style boolean (`true`, `false`, `1`, `0`, `t`, `f`).
 * @throws SigilError `input.invalid` naming the flag.
 */
export function parseBool(text: string, flag: string): boolean {
  return parseGoBool(text, flag);
}

/**
 * `--key-cutoff-time`: RFC 1123 with a numeric zone (`Mon, 02 Jan 2006 15:04:05 -0700`), as bitnami takes it, or RFC 3339.
 * @throws SigilError `input.invalid`.
 */
export function parseCutoff(text: string | undefined): Date | undefined {
  if (text === undefined || text === "") return undefined;
  const rfc1123z = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const at = Date.parse(text);
  if ((!rfc1123z.test(text) && !rfc3339.test(text)) || Number.isNaN(at)) {
    throw new SigilError("input.invalid", `--key-cutoff-time: '${text}' is not RFC 1123 with a numeric zone (Mon, 02 Jan 2006 15:04:05 -0700) or RFC 3339`);
  }
  return new Date(at);
}

/**
 * `k=v,k2=v2` (bitnami `--privatekey-labels`).
 * @throws SigilError `input.invalid` naming the flag.
 */
export function parsePairs(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(",").filter((s) => s.trim() !== "")) {
    const at = item.indexOf("=");
    if (at <= 0) throw new SigilError("input.invalid", `${flag}: '${item}' is not key=value`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

/**
 * `--no-cross-namespace-refs`: true when given bare or with a true value.
 * @throws SigilError `input.invalid` for a value that is not a boolean.
 */
export function noCrossNamespaceRefs(flags: Pick<OperatorFlags, "crossNamespaceRefs">): boolean {
  return flags.crossNamespaceRefs === false || (typeof flags.crossNamespaceRefs === "string" && parseBool(flags.crossNamespaceRefs, "--no-cross-namespace-refs"));
}

/** The controller namespace: `--namespace`, else `$POD_NAMESPACE`, else the service account's, else `default` (bitnami's order). */
export function keyNamespace(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): string {
  if (flag !== undefined && flag !== "") return flag;
  const fromEnv = env[POD_NAMESPACE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  try {
    const fromFile = readFile(SERVICE_ACCOUNT_NAMESPACE_FILE).trim();
    if (fromFile !== "") return fromFile;
  } catch {
    // not in a pod
  }
  return "default";
}

/** Namespaces to watch: undefined = all; else the key namespace plus `--additional-namespaces` (bitnami's semantics). */
function watchNamespaces(flags: OperatorFlags, keyNs: string): string[] | undefined {
  const additional = flags.additionalNamespaces.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parseBool(flags.allNamespaces, "--all-namespaces") && additional.length === 0) return undefined;
  return [...new Set([keyNs, ...additional])];
}

/**
 * Controller options from flags (providers, logger and clients are added by the caller).
 * @throws SigilError `input.invalid` naming the bad flag; `provider.invalid_key` for a bad `--wrap-private-keys-with`.
 */
export function controllerOptions(flags: OperatorFlags, keyNs: string): Partial<SealedSecretsControllerOptions> {
  const wrap = flags.wrapPrivateKeysWith;
  if (flags.wrapExistingKeys && (wrap === undefined || wrap === "")) throw new SigilError("input.invalid", "--wrap-existing-keys needs --wrap-private-keys-with");
  return {
    keyNamespace: keyNs,
    watchNamespaces: watchNamespaces(flags, keyNs),
    labelSelector: flags.labelSelector === "" ? undefined : flags.labelSelector,
    listenAddr: flags.listenAddr === "" ? undefined : flags.listenAddr,
    keyRenewPeriodMs: parseDuration(flags.keyRenewPeriod, "--key-renew-period"),
    keyCutoffTime: parseCutoff(flags.keyCutoffTime),
    keySize: parseCount(flags.keySize, "--key-size", 2048),
    keyTtlMs: parseDuration(flags.keyTtl, "--key-ttl"),
    commonName: flags.myCn,
    keyPrefix: flags.keyPrefix,
    privateKeyLabels: parsePairs(flags.privatekeyLabels, "--privatekey-labels"),
    privateKeyAnnotations: parsePairs(flags.privatekeyAnnotations, "--privatekey-annotations"),
    wrapPrivateKeysWith: wrap === undefined || wrap === "" ? undefined : parseWrapRef(wrap),
    wrapExistingKeys: flags.wrapExistingKeys,
    rateLimit: parseCount(flags.rateLimit, "--rate-limit"),
    rateLimitBurst: parseCount(flags.rateLimitBurst, "--rate-limit-burst", 1),
    maxUnsealRetries: parseCount(flags.maxUnsealRetries, "--max-unseal-retries"),
    updateStatus: parseBool(flags.updateStatus, "--update-status"),
    skipRecreate: flags.skipRecreate,
    acceptDeprecatedV1Data: parseBool(flags.acceptDeprecatedV1Data, "--accept-deprecated-v1-data"),
    resyncPeriodMs: parseDuration(flags.resyncPeriod, "--resync-period"),
  };
}
