/**
 * The layout rule of the CLI (README, "The CLI"): one folder per command
 * under `src/cli/commands/`, and what several commands use lives in
 * `src/cli/shared/`, never in one command's folder for the others to import. Imports are read with TypeScript's own pre-processor, so
 * static, type-only, re-exported and dynamic imports all count.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const COMMANDS = join(ROOT, "src", "cli", "commands");

/** Every `.ts` file under `dir`. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The relative module specifiers `file` imports or re-exports, resolved to absolute paths. */
function relativeImports(file: string, text: string = readFileSync(file, "utf8")): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

/** The command folder a path lies in (`decrypt` for `src/cli/commands/decrypt/extract.ts`), or undefined. */
function commandFolderOf(path: string): string | undefined {
  const rel = relative(COMMANDS, path);
  if (rel.startsWith("..") || !rel.includes(sep)) return undefined;
  return rel.split(sep)[0];
}

/** `file: specifier` for each import of a command's file that reaches another command's folder. */
function crossCommandImports(): string[] {
  const found: string[] = [];
  for (const file of sourcesUnder(COMMANDS)) {
    const own = commandFolderOf(file);
    if (own === undefined) continue;
    for (const target of relativeImports(file)) {
      const other = commandFolderOf(target);
      if (other !== undefined && other !== own) found.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
    }
  }
  return found;
}

describe("the CLI's command folders", () => {
  it("finds the command folders and their imports (the scan itself works)", () => {
    const file = join(COMMANDS, "rotate", "index.ts");
    expect(commandFolderOf(file)).toBe("rotate");
    expect(commandFolderOf(join(COMMANDS, "index.ts"))).toBeUndefined();
    expect(commandFolderOf(join(ROOT, "src", "cli", "shared", "index.ts"))).toBeUndefined();
    const text = 'import type { A } from "../decrypt/open.js";\nexport { b } from "../../shared/x.js";\nconst c = await import("./d.js");\nimport "node:fs";\n';
    expect(relativeImports(file, text).map((p) => relative(ROOT, p))).toEqual([
      join("src", "cli", "commands", "decrypt", "open.js"),
      join("src", "cli", "shared", "x.js"),
      join("src", "cli", "commands", "rotate", "d.js"),
    ]);
  });

  it("never import from another command's folder (shared helpers live in src/cli/shared)", () => {
    expect(crossCommandImports()).toEqual([]);
  });

  it("are reached by the command table only through its lazy import()s", () => {
    const table = join(COMMANDS, "index.ts");
    const source = ts.createSourceFile(table, readFileSync(table, "utf8"), ts.ScriptTarget.Latest);
    const statics = source.statements.flatMap((s) => ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier !== undefined && ts.isStringLiteral(s.moduleSpecifier) ? [s.moduleSpecifier.text] : []));
    expect(statics).toContain("../context.js");
    const eager = statics.map((s) => resolve(COMMANDS, s)).filter((p) => commandFolderOf(p) !== undefined);
    expect(eager.map((p) => relative(ROOT, p))).toEqual([]);
  });
});
