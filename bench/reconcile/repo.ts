/**
 * The benchmark's repository: `objects` manifests in `app/`, one per file,
 * of which `secrets` are Secrets encrypted with the real sops (age), the
 * rest a mix of ConfigMaps, headless Services (the env's service IP range
 * is small), Deployments (replicas 0: no pods) and
 * ServiceAccounts; committed to a bare Git repository of the environment.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createRepo } from "../../test/support/git.js";
import type { TestRepo } from "../../test/support/git.js";
import { AGE_KEY_FILE, AGE_RECIPIENT } from "../../test/support/reconcile.js";

const run = promisify(execFile);

/** The generated repository and where its files are. */
export interface BenchRepo {
  readonly repo: TestRepo;
  /** A checkout-like directory with the same files (the reference decrypts from here). */
  readonly dir: string;
  /** Relative paths (under `app/`) of the encrypted Secrets and of the plain manifests. */
  readonly encrypted: readonly string[];
  readonly plain: readonly string[];
  /** Manifest kinds and how many of each. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly sopsSeconds: number;
  cleanup(): void;
}

const KINDS = ["ConfigMap", "Service", "Deployment", "ServiceAccount"] as const;

function plainManifest(kind: (typeof KINDS)[number], i: number): string {
  const name = `${kind.toLowerCase()}-${String(i).padStart(4, "0")}`;
  const labels = `    app: bench-${i % 50}\n`;
  switch (kind) {
    case "ConfigMap":
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n${labels}data:\n  index: "${i}"\n  settings.yaml: |\n    level: info\n    replicas: ${i % 7}\n`;
    case "Service":
      return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  labels:\n${labels}spec:\n  clusterIP: None\n  selector:\n    app: bench-${i % 50}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n`;
    case "Deployment":
      return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  labels:\n${labels}spec:\n  replicas: 0\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: app\n          image: registry.invalid/bench:${i}\n          ports:\n            - containerPort: 8080\n`;
    case "ServiceAccount":
      return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  labels:\n${labels}`;
  }
}

function secretManifest(i: number): string {
  const name = `secret-${String(i).padStart(4, "0")}`;
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\nstringData:\n  username: user-${i}\n  password: bench-password-${i}-${Math.random().toString(36).slice(2)}\n`;
}

/** Encrypt files in place with `sops`, `parallel` at a time. */
async function sopsEncryptAll(sops: string, dir: string, files: readonly string[], parallel: number): Promise<void> {
  const env = { PATH: process.env["PATH"] ?? "", HOME: dir, SOPS_DISABLE_VERSION_CHECK: "1" };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i] ?? "";
      await run(sops, ["encrypt", "--in-place", "--age", AGE_RECIPIENT, "--encrypted-regex", "^(data|stringData)$", file], { cwd: dir, env });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Generate, encrypt and commit the repository. */
export async function createBenchRepo(sops: string, objects: number, secrets: number, name: string): Promise<BenchRepo> {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-reconcile-"));
  mkdirSync(join(dir, "app"));
  const encrypted: string[] = [];
  const plain: string[] = [];
  const kinds: Record<string, number> = { Secret: secrets };
  for (let i = 0; i < secrets; i++) {
    const file = `app/secret-${String(i).padStart(4, "0")}.yaml`;
    writeFileSync(join(dir, file), secretManifest(i));
    encrypted.push(file);
  }
  for (let i = 0; i < objects - secrets; i++) {
    const kind = KINDS[i % KINDS.length] ?? "ConfigMap";
    const file = `app/${kind.toLowerCase()}-${String(i).padStart(4, "0")}.yaml`;
    writeFileSync(join(dir, file), plainManifest(kind, i));
    plain.push(file);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  const t = performance.now();
  await sopsEncryptAll(sops, dir, encrypted, 2);
  const sopsSeconds = (performance.now() - t) / 1000;
  const files: Record<string, string> = {};
  for (const f of [...encrypted, ...plain]) files[f] = readFileSync(join(dir, f), "utf8");
  const repo = createRepo(name, files);
  return {
    repo, dir, encrypted, plain, kinds, sopsSeconds,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(repo.path, { recursive: true, force: true });
    },
  };
}

/** The SOPS key environment of both sides (the fixture age identity). */
export function ageKeyEnv(): Record<string, string> {
  return { SOPS_AGE_KEY_FILE: AGE_KEY_FILE, SOPS_DISABLE_VERSION_CHECK: "1" };
}
