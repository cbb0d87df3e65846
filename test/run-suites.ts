// Runs every test file through uvu and ends the process when the last suite is
// done. uvu only sets process.exitCode and waits for Node to drain its event
// loop; one socket, timer or child a test forgets keeps Node alive forever, and
// CI then reports a timeout instead of the suite's result. Listing what was
// left open keeps such a leak visible without letting it hang the run.
import { spawnSync } from "node:child_process";
import { parse } from "uvu/parse";
import { run } from "uvu/run";
import { applySimdSwitch } from "../runtimes/shared/simd-switch.ts";

// AUDO_EQ_SIMD=off runs the whole suite on the JavaScript kernels (processes the tests start inherit it).
applySimdSwitch(process.env);

// Tests that start the CLI, the server image command or the packed package run
// the built JavaScript in dist/: build it from the sources as they are now, so
// no test ever runs a stale build.
const build = spawnSync("npm", ["run", "--silent", "build"], { stdio: ["ignore", "inherit", "inherit"] });
if (build.status !== 0) {
  console.error("test run: npm run build failed; dist/ would be stale");
  process.exit(1);
}

const [directory = "test", pattern = "\\.test\\.ts$"] = process.argv.slice(2);

const context = await parse(directory, new RegExp(pattern), { cwd: process.cwd() });
await run(context.suites, { bail: false });

// Standard streams and the loader's own port are not leaks.
const ignoredResources = new Set(["TTYWrap", "PipeWrap", "MessagePort"]);
const leftOpen = process.getActiveResourcesInfo().filter((resource) => !ignoredResources.has(resource));
if (leftOpen.length > 0) {
  const counts = new Map<string, number>();
  for (const resource of leftOpen) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  const summary = [...counts].map(([resource, count]) => `${resource}×${count}`).join(", ");
  console.error(`test run: suites finished with resources still open (${summary}); ending the process`);
}
process.exit(process.exitCode ?? 0);
