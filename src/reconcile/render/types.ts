/** What the render step gives: Kubernetes objects, each with the file it came from. */

/** A Kubernetes object as rendered (plain JSON data). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string | undefined;
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly annotations?: Readonly<Record<string, string>> | undefined;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export interface Manifest {
  readonly object: KubeObject;
  /** Repository-relative file it came from (`kustomize build <path>` for kustomize output). */
  readonly source: string;
  /** The whole file, when it is SOPS-encrypted: the decrypt step verifies the MAC over these exact bytes. */
  readonly encryptedFile?: Uint8Array | undefined;
}

export interface RenderLimits {
  /** Largest single file read. */
  readonly maxFileBytes: number;
  /** Largest total of all files read (or of kustomize's output). */
  readonly maxTotalBytes: number;
  readonly maxDocuments: number;
  /** Most alias dereferences in one document (a YAML bomb is refused). */
  readonly maxAliases: number;
  /** Deepest `[`/`{` nesting in a file. */
  readonly maxDepth: number;
}

/** Flux's per-file limit (5 MiB), 64 MiB in all, 10,000 documents. */
export function defaultRenderLimits(): RenderLimits {
  return { maxFileBytes: 5 << 20, maxTotalBytes: 64 << 20, maxDocuments: 10_000, maxAliases: 100, maxDepth: 100 };
}
