/** `sigil sync` flags → what the reconciler takes. */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { SigilError } from "../../../core/index.js";
import type { GitRef } from "../../../reconcile/index.js";

export interface SyncFlags {
  once?: boolean;
  source: string;
  ref?: string;
  path: string;
  kubeconfig?: string;
  namespace: string;
  prune?: boolean;
  dryRun?: boolean;
  allowEmpty?: boolean;
  force?: boolean;
  wait?: boolean;
  timeout: string;
  sealedSecrets: string;
  controllerNamespace: string;
  kustomize?: string;
}

/** Git credentials for `--source URL`, read at start-up (never from argv). */
export const SIGIL_GIT_USERNAME_ENV = "SIGIL_GIT_USERNAME";
export const SIGIL_GIT_PASSWORD_ENV = "SIGIL_GIT_PASSWORD";
export const SIGIL_GIT_BEARER_TOKEN_ENV = "SIGIL_GIT_BEARER_TOKEN";
/** The kustomize binary (also `--kustomize`). */
export const SIGIL_KUSTOMIZE_ENV = "SIGIL_KUSTOMIZE";
/** Passed through to git for `--source URL`. */
export const GIT_PASSTHROUGH_ENV = ["GIT_SSL_CAINFO", "GIT_SSH_COMMAND", "SSH_AUTH_SOCK"] as const;

/**
 * `--ref`: `branch:NAME`, `tag:NAME`, `semver:RANGE`, `commit:SHA`, a bare 40-hex SHA (a commit) or a bare name (a branch).
 * @throws SigilError `input.invalid` for an empty value.
 */
export function parseRef(text: string | undefined): GitRef | undefined {
  if (text === undefined) return undefined;
  const m = /^(branch|tag|semver|commit):(.+)$/.exec(text);
  if (m?.[1] !== undefined && m[2] !== undefined) return { [m[1]]: m[2] };
  if (text === "") throw new SigilError("input.invalid", "--ref is empty");
  return /^[0-9a-f]{40}$/.test(text) ? { commit: text } : { branch: text };
}

/** A local directory `--source`, or undefined for a Git URL. */
export function localSource(cwd: string, source: string): string | undefined {
  if (/^(https|ssh|file):\/\//.test(source) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(source)) return undefined;
  const dir = resolve(cwd, source);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SigilError("input.not_found", "--source is neither a Git URL nor a directory", { subject: source });
  return dir;
}

/**
 * `--sealed-secrets`.
 * @throws SigilError `input.invalid`.
 */
export function sealedMode(text: string): "Inline" | "Controller" {
  const t = text.toLowerCase();
  if (t === "inline") return "Inline";
  if (t === "controller") return "Controller";
  throw new SigilError("input.invalid", `--sealed-secrets must be inline or controller, got '${text}'`);
}
