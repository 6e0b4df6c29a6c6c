/**
 * How a running operator is told to stop or to rotate its key. The command
 * takes these as an injected dependency, so tests run it in-process with
 * {@link manualSignals}; the real binary uses {@link processSignals}, the
 * only place in the command that touches `process`.
 */

/** Stop and rotate requests. */
export interface OperatorSignals {
  /** Resolves with the reason when the operator should stop. */
  readonly stopped: Promise<string>;
  /** Call `handler` on each key-rotation request (bitnami: SIGUSR1). */
  onRotate(handler: () => void): void;
  /** Remove any listeners. */
  dispose(): void;
}

/** Signals driven by code: `stop()` and `rotate()`. */
export interface ManualSignals extends OperatorSignals {
  stop(reason?: string): void;
  rotate(): void;
}

/** Signals for tests and embedding. */
export function manualSignals(): ManualSignals {
  let resolveStop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (resolveStop = resolve));
  const handlers: (() => void)[] = [];
  return {
    stopped,
    onRotate: (handler) => handlers.push(handler),
    dispose: () => handlers.splice(0),
    stop: (reason = "stopped") => {
      resolveStop(reason);
    },
    rotate: () => {
      for (const handler of handlers) handler();
    },
  };
}

/** SIGTERM / SIGINT stop the operator; SIGUSR1 rotates the sealing key. */
export function processSignals(): OperatorSignals {
  const manual = manualSignals();
  const onStop = (signal: NodeJS.Signals): void => {
    manual.stop(signal);
  };
  const onRotate = (): void => {
    manual.rotate();
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.on("SIGUSR1", onRotate);
  return {
    stopped: manual.stopped,
    onRotate: (handler) => {
      manual.onRotate(handler);
    },
    dispose: () => {
      process.off("SIGTERM", onStop);
      process.off("SIGINT", onStop);
      process.off("SIGUSR1", onRotate);
      manual.dispose();
    },
  };
}
