// Types for node24-lib.mjs (plain JavaScript: it runs before npm ci), for its unit tests.

export declare const NODE_VERSION: string;
export declare const MIN_MAJOR: number;
export interface Candidate {
  readonly spec: string;
  readonly dir: string;
}
export type Plan =
  | { readonly kind: "current" }
  | { readonly kind: "cached"; readonly bin: string }
  | { readonly kind: "fetch"; readonly pkg: string; readonly candidates: Candidate[] }
  | { readonly kind: "unsupported"; readonly reason: string };
export interface Machine {
  readonly nodeVersion: string;
  readonly platform: string;
  readonly arch: string;
  readonly glibc: string | undefined;
  readonly root: string;
}
export interface NpmInvocation {
  readonly cmd: string;
  readonly args: string[];
}
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error: Error | undefined;
}
export type Run = (cmd: string, args: readonly string[], options: object) => RunResult;
export declare function nodePackageName(platform: string, arch: string): string | undefined;
export declare function cacheRoot(env: Readonly<Record<string, string | undefined>>, home: string): string;
export declare function candidates(root: string, pkg: string): Candidate[];
export declare function installedBinary(dir: string, pkg: string, fs?: { existsSync(p: string): boolean; readFileSync(p: string, enc: "utf8"): string }): string | undefined;
export declare function decide(m: Machine, installed?: (dir: string, pkg: string) => string | undefined): Plan;
export declare function npmInvocation(o: {
  env: Readonly<Record<string, string | undefined>>;
  execPath: string;
  platform: string;
  exists?: (p: string) => boolean;
  onPath: (name: string) => boolean;
}): NpmInvocation | undefined;
export declare class FetchError extends Error {}
export declare function fetchNode(plan: Extract<Plan, { kind: "fetch" }>, deps: { npm: NpmInvocation | undefined; log: (line: string) => void; run?: Run; now?: number }): string;
