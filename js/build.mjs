// Builds one ESM bundle per view (src/views/*.ts) plus the shared stylesheet into interpretwidgets/static/.
import { build, context } from "esbuild";
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "interpretwidgets", "static");
const views = (await readdir(join(here, "src", "views"))).filter((f) => f.endsWith(".ts"));

const options = {
  entryPoints: views.map((f) => join(here, "src", "views", f)),
  outdir,
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: !process.argv.includes("--watch") && !process.argv.includes("--no-minify"),
  sourcemap: false,
  logLevel: "info",
};

await mkdir(outdir, { recursive: true });
await copyFile(join(here, "src", "styles.css"), join(outdir, "styles.css"));
if (process.argv.includes("--watch")) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
