import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultRenderLimits, parseManifests, render } from "../../../src/reconcile/render/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "sigil-render-"));
  dirs.push(root);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), c);
  }
  return root;
}

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

describe("render: plain directories", () => {
  it("reads YAML and JSON recursively, multi-document, in byte order of the path", async () => {
    const root = repo({
      "app/b.yaml": `${cm("b1")}---\n${cm("b2")}`,
      "app/a/z.yml": cm("az"),
      "app/B.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bj" } }),
      "app/notes.txt": "not a manifest",
      "app/empty.yaml": "---\n# nothing\n---\n",
      "other/x.yaml": cm("x"),
    });
    const out = await render(root, "./app");
    expect(out.map((m) => [m.source, m.object.metadata.name])).toEqual([
      ["app/B.json", "bj"],
      ["app/a/z.yml", "az"],
      ["app/b.yaml", "b1"],
      ["app/b.yaml", "b2"],
    ]);
  });

  it("expands a List", async () => {
    const root = repo({ "l.yaml": `apiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "i" } })}\n` });
    expect((await render(root, ".")).map((m) => m.object.metadata.name)).toEqual(["i"]);
  });

  it.each([
    { reason: "invalid YAML", files: { "a.yaml": "a: [1, 2\n" }, code: "render.invalid_yaml", subject: "a.yaml (document 1)" },
    { reason: "a document without a name", files: { "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n" }, code: "render.invalid_yaml", subject: "a.yaml (document 1)" },
    { reason: "a scalar document", files: { "a.yaml": `${cm("ok")}---\njust a string\n` }, code: "render.invalid_yaml", subject: "a.yaml (document 2)" },
    { reason: "a duplicate key", files: { "a.yaml": "apiVersion: v1\napiVersion: v2\nkind: X\nmetadata: {name: a}\n" }, code: "render.invalid_yaml", subject: "a.yaml (document 1)" },
  ])("refuses $reason, naming the file and document", async ({ files, code, subject }) => {
    await expect(render(repo(files), ".")).rejects.toMatchObject({ code, subject });
  });

  it("refuses a path that climbs out of the repository", async () => {
    const root = repo({ "a/x.yaml": cm("x") });
    await expect(render(join(root, "a"), "../")).rejects.toMatchObject({ code: "render.path_escape" });
    await expect(render(join(root, "a"), "/etc")).rejects.toMatchObject({ code: "render.path_escape" });
  });

  it("refuses a symlink that leads out of the repository, but follows one that stays inside", async () => {
    const outside = repo({ "secret.yaml": cm("outside") });
    const root = repo({ "app/a.yaml": cm("a"), "shared/s.yaml": cm("s") });
    symlinkSync(join(root, "shared"), join(root, "app/shared"));
    expect((await render(root, "app")).map((m) => m.object.metadata.name)).toEqual(["a", "s"]);
    symlinkSync(join(outside, "secret.yaml"), join(root, "app/leak.yaml"));
    await expect(render(root, "app")).rejects.toMatchObject({ code: "render.path_escape", subject: "app/leak.yaml" });
    symlinkSync(outside, join(root, "out"));
    await expect(render(root, "out")).rejects.toMatchObject({ code: "render.path_escape" });
  });

  it("refuses a YAML bomb", async () => {
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]"];
    const root = repo({ "bomb.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  ${bomb.join("\n  ")}\n` });
    await expect(render(root, ".")).rejects.toMatchObject({ code: "render.too_large", subject: "bomb.yaml (document 1)" });
  });

  it("bounds file size, total size, document count and nesting", async () => {
    const limits = { ...defaultRenderLimits(), maxFileBytes: 200, maxTotalBytes: 120, maxDocuments: 3 };
    await expect(render(repo({ "a.yaml": `${cm("a")}#${"x".repeat(300)}\n` }), ".", { limits })).rejects.toMatchObject({ code: "render.too_large", subject: "a.yaml" });
    await expect(render(repo({ "a.yaml": cm("a"), "b.yaml": cm("b"), "c.yaml": cm("c") }), ".", { limits })).rejects.toMatchObject({ code: "render.too_large" });
    await expect(render(repo({ "a.yaml": [cm("a"), cm("b"), cm("c"), cm("d")].join("---\n") }), ".", { limits: { ...limits, maxFileBytes: 1000, maxTotalBytes: 1000 } })).rejects.toMatchObject({ code: "render.too_large" });
    expect(() => parseManifests(`${"[".repeat(101)}${"]".repeat(101)}`, "deep.yaml", defaultRenderLimits())).toThrow(expect.objectContaining({ code: "render.too_large" }) as Error);
  });

  it("never puts a value from the file into the error", async () => {
    const root = repo({ "a.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: \"canary-render-77\n" });
    const err = await render(root, ".").catch((e: unknown) => e);
    expect(JSON.stringify(err) + String(err)).not.toContain("canary-render-77");
  });
});
