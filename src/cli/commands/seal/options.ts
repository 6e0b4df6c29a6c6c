/**
 * The flags of `sigil seal`, spelled as kubeseal spells them, and the
 * `SEALED_SECRETS_*` environment variables that set any flag not given on
 * the command line (kubeseal's flagenv behaviour).
 */
import type { Command } from "commander";
import { parseGoBool } from "../../../core/index.js";

/** Prefix of the environment variables that set flags: `--controller-namespace` ← `SEALED_SECRETS_CONTROLLER_NAMESPACE`. */
export const SEALED_SECRETS_ENV_PREFIX = "SEALED_SECRETS_";

export interface SealFlags {
  cert?: string;
  controllerNamespace: string;
  controllerName: string;
  controllerUrl?: string;
  format?: string;
  sealedSecretFile?: string;
  secretFile?: string;
  fetchCert: boolean;
  allowEmptyData: boolean;
  validate: boolean;
  mergeInto?: string;
  raw: boolean;
  name?: string;
  namespace?: string;
  fromFile: string[];
  kubeconfig?: string;
  context?: string;
  scope?: string;
  reEncrypt: boolean;
  rotate: boolean;
  recoveryUnseal: boolean;
  recoveryPrivateKey: string[];
  maxInputSize?: string;
}

/** A comma-separated flag value, as pflag's StringSlice reads it. */
export function splitList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Set every option of `command` that was not given on the command line from
 * its `SEALED_SECRETS_<FLAG>` variable, if set.
 * @throws SigilError `input.invalid` for a boolean variable that is not a boolean.
 */
export function applyEnvFlags(command: Command, env: Readonly<Record<string, string | undefined>>): void {
  for (const option of command.options) {
    const long = option.long?.replace(/^--/, "");
    if (long === undefined || long === "help") continue;
    const variable = `${SEALED_SECRETS_ENV_PREFIX}${long.toUpperCase().replace(/-/g, "_")}`;
    const value = env[variable];
    const key = option.attributeName();
    const source = command.getOptionValueSource(key);
    if (value === undefined || (source !== undefined && source !== "default")) continue;
    let parsed: unknown = value;
    if (option.isBoolean()) parsed = parseGoBool(value, variable);
    else if (Array.isArray(command.getOptionValue(key))) parsed = splitList(value);
    command.setOptionValueWithSource(key, parsed, "env");
  }
}

/** Append a repeatable, comma-separated flag value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...splitList(value)];
}
