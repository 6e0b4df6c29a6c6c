/**
 * The process's stdout and stderr as the CLI uses them: a write error (a
 * full disk, `/dev/full`, a reader that went away) never surfaces as an
 * unhandled 'error' event with a stack trace. It is recorded, later writes
 * are dropped, and `flush()` reports it once the command is done, as
 * `output.closed` (the reader went away: EPIPE) or `output.write_failed`.
 */
import { SigilError } from "../../core/index.js";

/** The part of a Node writable the guard needs. */
export interface RawOutputStream {
  write(chunk: string | Uint8Array, callback: (err?: Error | null) => void): boolean;
  on(event: "error", listener: (err: Error) => void): unknown;
}

/** An output stream that records its first error instead of throwing it. */
export interface GuardedOutput {
  write(chunk: string | Uint8Array): boolean;
  /**
   * Wait for every write to finish.
   * @throws SigilError `output.closed` when the reader went away (EPIPE),
   *   `output.write_failed` naming the stream for any other write error.
   */
  flush(): Promise<void>;
}

function asSigilError(name: string, err: Error): SigilError {
  if ((err as { code?: unknown }).code === "EPIPE") return new SigilError("output.closed", "the reader closed the pipe", { subject: name, cause: err });
  return new SigilError("output.write_failed", `could not write to ${name}`, { subject: name, cause: err });
}

/** Guard the stream `open()` returns (named `name` in errors, e.g. "stdout"); it is opened on the first write. */
export function guardOutput(open: () => RawOutputStream, name: string): GuardedOutput {
  let stream: RawOutputStream | undefined;
  let failure: Error | undefined;
  let pending = 0;
  let idle: (() => void)[] = [];
  const settle = (): void => {
    if (pending === 0) idle.splice(0).forEach((f) => { f(); });
  };
  const opened = (): RawOutputStream => {
    if (stream === undefined) {
      stream = open();
      stream.on("error", (err) => {
        failure ??= err;
        idle.splice(0).forEach((f) => { f(); });
      });
    }
    return stream;
  };
  return {
    write(chunk) {
      if (failure !== undefined) return false;
      pending++;
      return opened().write(chunk, (err) => {
        if (err !== undefined && err !== null) failure ??= err;
        pending--;
        settle();
      });
    },
    async flush() {
      if (pending > 0) await new Promise<void>((res) => idle.push(res));
      idle = [];
      if (failure !== undefined) throw asSigilError(name, failure);
    },
  };
}
