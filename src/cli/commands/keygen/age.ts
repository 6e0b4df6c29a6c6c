/**
 * `sigil keygen age`: a new age identity, printed like `age-keygen` prints
 * it (`# created:`, `# public key:`, then the identity), or written to a
 * key file with `-o`; `-y` prints the recipients of an identity file.
 */
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import type { Command } from "commander";
import { SigilError, registerSecret } from "../../../core/index.js";
import type { CliContext } from "../../context.js";
import { standardStreamFor } from "../../shared/index.js";
import { readAll } from "../../context.js";
import { optionalPath, readUserFile, userPath } from "../seal/io.js";
import { checkKeyFiles, writeKeyFiles } from "./files.js";

interface AgeKeygenFlags {
  output?: string;
  pq: boolean;
  y: boolean;
  force: boolean;
}

/** The key file text age-keygen writes. */
export function ageKeyFile(identity: string, recipient: string, created: Date): string {
  const stamp = `${created.toISOString().slice(0, 19)}Z`;
  return `# created: ${stamp}\n# public key: ${recipient}\n${identity}\n`;
}

async function recipients(flags: AgeKeygenFlags, input: string | undefined, ctx: CliContext): Promise<void> {
  const text = input === undefined ? (await readAll(ctx.stdin)).toString("utf8") : (await readUserFile(input, "-y")).toString("utf8");
  const identities = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  if (identities.length === 0) throw new SigilError("input.invalid", "no identities found", { subject: input ?? "<stdin>" });
  const lines: string[] = [];
  for (const identity of identities) {
    registerSecret(identity);
    try {
      lines.push(await identityToRecipient(identity));
    } catch {
      throw new SigilError("input.invalid", "a line is not an age identity", { subject: input ?? "<stdin>" });
    }
  }
  const out = `${lines.join("\n")}\n`;
  if (flags.output === undefined) ctx.stdout.write(out);
  else await writeKeyFiles(ctx, [{ path: flags.output, content: out, private: false }], flags.force);
}

async function generate(flags: AgeKeygenFlags, ctx: CliContext): Promise<void> {
  const identity = flags.pq ? await generateHybridIdentity() : await generateX25519Identity();
  registerSecret(identity);
  const recipient = await identityToRecipient(identity);
  const file = ageKeyFile(identity, recipient, new Date());
  if (flags.output === undefined) {
    ctx.stdout.write(file);
    return;
  }
  await writeKeyFiles(ctx, [{ path: flags.output, content: file, private: true }], flags.force);
  ctx.stderr.write(`Public key: ${recipient}\n`);
}

/** Attach `keygen age` to the `keygen` command. */
export function registerAgeKeygen(parent: Command, ctx: CliContext): void {
  parent
    .command("age")
    .description("generate an age identity and print it with its recipient, like age-keygen")
    .argument("[input]", "with -y: the identity file to read (default stdin)")
    .option("-o, --output <file>", "write the key file here (mode 0600) instead of stdout")
    .option("--pq", "generate a post-quantum hybrid identity (age1pq1…)", false)
    .option("-y", "print the recipients of the identities in [input]", false)
    .option("--force", "overwrite an existing output file", false)
    .action(async (input: string | undefined, flags: AgeKeygenFlags) => {
      const resolved: AgeKeygenFlags = { ...flags };
      delete resolved.output; // none, "-" or /dev/stdout: print
      if (flags.output !== undefined && flags.output !== "" && standardStreamFor(ctx, flags.output) === undefined) {
        resolved.output = userPath(ctx, flags.output);
        await checkKeyFiles([resolved.output], flags.force);
      }
      if (flags.y) await recipients(resolved, optionalPath(ctx, input), ctx);
      else await generate(resolved, ctx);
    });
}
