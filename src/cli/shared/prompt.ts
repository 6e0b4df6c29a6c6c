/**
 * A no-echo passphrase prompt on the terminal, for the age provider's
 * `prompt` option (`ProviderEnvOptions.prompt`).
 */
import { SigilError } from "../../core/index.js";

/** The streams a terminal prompt needs (a subset of `CliContext`). */
export interface PromptStreams {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stderr: { write(chunk: string): unknown };
}

/**
 * A no-echo passphrase prompt on the terminal, for `ProviderEnvOptions.prompt`,
 * or `undefined` when stdin is not a terminal (then `SIGIL_AGE_PASSPHRASE` is
 * the way). The prompt goes to stderr; Enter ends the input, Backspace
 * deletes, Ctrl-C or Ctrl-D aborts.
 */
export function terminalPassphrasePrompt(io: PromptStreams): ((message: string) => Promise<string>) | undefined {
  const { stdin } = io;
  const setRaw = stdin.setRawMode?.bind(stdin);
  if (stdin.isTTY !== true || setRaw === undefined) return undefined;
  return (message) =>
    new Promise<string>((resolve, reject) => {
      let typed = "";
      const finish = (err?: Error): void => {
        stdin.removeListener("data", onData);
        setRaw(false);
        stdin.pause();
        io.stderr.write("\n");
        if (err === undefined) resolve(typed);
        else reject(err);
      };
      const onData = (chunk: Buffer | string): void => {
        for (const ch of chunk.toString()) {
          if (ch === "\r" || ch === "\n") {
            finish();
            return;
          }
          if (ch === "\u0003" || ch === "\u0004") {
            finish(new SigilError("input.invalid", "passphrase entry was cancelled"));
            return;
          }
          typed = ch === "\u007f" || ch === "\b" ? typed.slice(0, -1) : typed + ch;
        }
      };
      io.stderr.write(message);
      setRaw(true);
      stdin.resume();
      stdin.on("data", onData);
    });
}
