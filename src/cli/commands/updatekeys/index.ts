/**
 * `sigil updatekeys`: sops' `updatekeys`, extended to whole directory trees:
 * every sops file under the given paths gets the keys of its `.sops.yaml`
 * creation rule, and each file is reported. Without `--yes`, each change is
 * confirmed on stdin.
 */
import { createInterface } from "node:readline";
import type { Interface } from "node:readline";
import type { Command } from "commander";
import { SigilError, describeError, escapeControlChars } from "../../../core/index.js";
import { DEFAULT_MAX_ENCRYPTED_BYTES, compileRe2, creationRuleSettings, matchCreationRule, parseFormat, requireUsableKeys, updateKeysFile } from "../../../decrypt/index.js";
import type { CreationRuleSettings, SopsFormat, StoreOptions } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import { writeOutputFile } from "../../shared/index.js";
import { addMaxInputSizeOption, maxInputBytes } from "../decrypt/size.js";
import type { SizeFlags } from "../decrypt/size.js";
import { loadCliSopsConfig, storeOptionsOf } from "../encrypt/config.js";
import type { CliSopsConfig } from "../encrypt/config.js";
import { addSopsGlobalOptions, parseThreshold } from "../encrypt/keys.js";
import type { CommandModule } from "../index.js";
import { collectFiles } from "./walk.js";
import type { Candidate } from "./walk.js";

interface UpdateKeysFlags extends SizeFlags {
  readonly yes?: boolean;
  readonly config?: string;
  readonly inputType?: string;
  readonly shamirSecretSharingThreshold?: string;
}

type Outcome = "updated" | "unchanged" | "skipped" | "declined" | "failed";

interface Run {
  readonly ctx: CliContext;
  readonly config: CliSopsConfig;
  readonly flags: UpdateKeysFlags;
  readonly maxInputBytes: number;
  readonly format: SopsFormat | undefined;
  /** `--shamir-secret-sharing-threshold` (0: the rule's). */
  readonly threshold: number;
  readonly store: Partial<StoreOptions>;
  readonly registry: ReturnType<typeof buildProviderRegistry>;
  readonly ask: (question: string) => Promise<string | undefined>;
  failures: SigilError[];
}

function report(ctx: CliContext, file: string, outcome: Outcome, detail = ""): void {
  ctx.stdout.write(`${escapeControlChars(`${file}: ${outcome}${detail === "" ? "" : ` (${detail})`}`)}\n`);
}

/**
 * Every `path_regex` compiled once before any file is touched, so that the
 * only `config.invalid` matching can raise afterwards is "no rule matches".
 * @throws SigilError `config.invalid` naming the rule whose regex cannot be used.
 */
function checkPathRegexes(loaded: CliSopsConfig): void {
  for (const rule of loaded.config.creationRules ?? []) {
    if (rule.pathRegex !== "") compileRe2(rule.pathRegex, { subject: loaded.path, field: `creation_rules[${rule.index}].path_regex` });
  }
}

/**
 * The usable settings of the file's creation rule, or undefined when no rule matches.
 * @throws SigilError `config.invalid` / `provider.not_configured` for a rule whose keys cannot be used.
 */
function settingsFor(run: Run, path: string): CreationRuleSettings | undefined {
  const { config } = run;
  let match: ReturnType<typeof matchCreationRule>;
  try {
    match = matchCreationRule(config.config, config.dir, path);
  } catch (err) {
    if (err instanceof SigilError && err.code === "config.invalid") return undefined;
    throw err;
  }
  if (match === undefined) return undefined;
  const settings = creationRuleSettings(config.config, match.rule);
  requireUsableKeys(settings, config.path);
  return settings;
}

async function updateOne(run: Run, c: Candidate): Promise<Outcome> {
  const { ctx } = run;
  const rule = settingsFor(run, c.path);
  if (rule === undefined) return report(ctx, c.display, "skipped", "no creation rule matches"), "skipped";
  const result = await updateKeysFile(c.bytes, {
    registry: run.registry,
    path: c.path,
    ...(run.format === undefined ? {} : { format: run.format }),
    maxInputBytes: run.maxInputBytes,
    store: run.store,
    keyGroups: rule.keyGroups,
    shamirThreshold: run.threshold || (rule.shamirThreshold ?? 0),
  });
  if (!result.changed) return report(ctx, c.display, "unchanged"), "unchanged";
  const detail = [...result.added.map((k) => `+${k}`), ...result.removed.map((k) => `-${k}`)].join(", ") || "key groups changed";
  if (run.flags.yes !== true) {
    const answer = await run.ask(`${c.display}: ${detail}\nupdate this file? [y/N] `);
    if (answer === undefined) {
      ctx.stderr.write("\n"); // end the unanswered question's line
      throw new SigilError("input.closed", "stdin ended before the question was answered; nothing was written (pass --yes to update without asking)", { subject: c.display });
    }
    if (!/^y(es)?$/i.test(answer.trim())) return report(ctx, c.display, "declined", detail), "declined";
  }
  await writeOutputFile({ path: c.path, content: result.output }, ctx.writeOptions);
  return report(ctx, c.display, "updated", detail), "updated";
}

/**
 * Questions on stderr, answers from stdin, one line each. At the end of
 * stdin (closed, /dev/null, or no more lines) or on a read error, every
 * question, then and later, gets `undefined`.
 */
function asker(ctx: CliContext): { ask: (q: string) => Promise<string | undefined>; close: () => void } {
  let rl: Interface | undefined;
  let ended = false;
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  const end = (): void => {
    ended = true;
    waiting.splice(0).forEach((w) => { w(undefined); });
  };
  return {
    ask: (q) => {
      ctx.stderr.write(escapeControlChars(q, { keepNewlines: true }));
      if (rl === undefined) {
        ctx.stdin.on("error", end);
        rl = createInterface({ input: ctx.stdin, terminal: false });
        rl.on("line", (l) => { (waiting.shift() ?? ((x: string) => lines.push(x)))(l); });
        rl.on("close", end);
      }
      const next = lines.shift();
      if (next !== undefined) return Promise.resolve(next);
      return ended ? Promise.resolve(undefined) : new Promise((res) => waiting.push(res));
    },
    close: () => rl?.close(),
  };
}

async function runUpdateKeys(ctx: CliContext, paths: string[], flags: UpdateKeysFlags): Promise<void> {
  const limit = maxInputBytes(ctx, flags, DEFAULT_MAX_ENCRYPTED_BYTES);
  const config = await loadCliSopsConfig(ctx, flags.config);
  if (config?.config.creationRules === undefined) throw new SigilError("config.invalid", "no .sops.yaml with creation_rules was found (use --config)", { subject: config?.path });
  checkPathRegexes(config);
  const format = flags.inputType === undefined ? undefined : parseFormat(flags.inputType);
  const threshold = parseThreshold(flags.shamirSecretSharingThreshold);
  const { ask, close } = asker(ctx);
  const run: Run = { ctx, config, flags, maxInputBytes: limit, format, threshold, store: storeOptionsOf(config), registry: buildProviderRegistry(ctx.env), ask, failures: [] };
  const counts: Record<Outcome, number> = { updated: 0, unchanged: 0, skipped: 0, declined: 0, failed: 0 };
  try {
    for await (const c of collectFiles(ctx, paths.length === 0 ? ["."] : paths, { maxBytes: limit, format })) {
      if (c.error !== undefined) {
        run.failures.push(c.error);
        report(ctx, c.display, "failed", c.error.message);
        counts.failed++;
        continue;
      }
      try {
        counts[await updateOne(run, c)]++;
      } catch (err) {
        const e = err instanceof SigilError ? err : new SigilError("internal", describeError(err));
        run.failures.push(e);
        report(ctx, c.display, "failed", `${e.message} [${e.code}]`);
        counts.failed++;
        if (e.code === "input.closed") break; // no later question can be answered either
      }
    }
  } finally {
    close();
  }
  ctx.stdout.write(`${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.declined} declined, ${counts.skipped} skipped, ${counts.failed} failed\n`);
  const first = run.failures[0];
  if (first?.code === "input.closed") throw first;
  if (first !== undefined) throw new SigilError(first.code, `${run.failures.length} file(s) could not be updated`);
}

export const UPDATEKEYS_COMMAND: CommandModule = {
  name: "updatekeys",
  register(program: Command, ctx: CliContext): void {
    addSopsGlobalOptions(program);
    const cmd = addMaxInputSizeOption(program
      .command("updatekeys")
      .description("make sops files' keys match .sops.yaml; files and whole directory trees (sops-compatible, extended)")
      .argument("[paths...]", "files or directories (default: the working directory)")
      .option("-y, --yes", "do not ask for confirmation")
      .option("--config <file>", "path of .sops.yaml (env SOPS_CONFIG)")
      .option("--input-type <type>", "format of the files (default: by extension)")
      .option("--shamir-secret-sharing-threshold <n>", "override the rule's threshold"));
    cmd.action(async (paths: string[]) => {
      await runUpdateKeys(ctx, paths, cmd.optsWithGlobals<UpdateKeysFlags>());
    });
  },
};
