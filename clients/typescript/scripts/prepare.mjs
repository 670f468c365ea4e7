// Builds dist/ when the package is installed from its folder or packed (npm runs `prepare` for both).
// npm installs a folder dependency without its devDependencies, so the compiler may be missing here: then this
// installs the pinned devDependencies from package-lock.json into this folder first (npm ci --ignore-scripts).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const folder = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = join(folder, "node_modules", "typescript", "bin", "tsc");
const run = (command, args) => execFileSync(command, args, { cwd: folder, stdio: "inherit" });

if (!existsSync(tsc) || !existsSync(join(folder, "node_modules", "@types", "node"))) {
  // The parent install's settings (global, production-only, ...) must not leak into this nested install.
  for (const name of Object.keys(process.env)) {
    if (name.toLowerCase().startsWith("npm_config_")) delete process.env[name];
  }
  run(npm, ["ci", "--ignore-scripts", "--include=dev", "--no-audit", "--no-fund", "--loglevel=error"]);
}
run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);
