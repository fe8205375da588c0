// Copies the browser libraries Keel uses from node_modules into build/assets/vendor, the
// ignored folder Django serves as static files. Third-party files are never committed.
import { cpSync, mkdirSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "assets", "vendor");
const files = [
  ["@tabler/core/dist/css/tabler.min.css", "tabler/tabler.min.css"],
  ["@tabler/core/dist/js/tabler.min.js", "tabler/tabler.min.js"],
  ["sortablejs/Sortable.min.js", "sortablejs/Sortable.min.js"],
  ["frappe-gantt/dist/frappe-gantt.umd.js", "frappe-gantt/frappe-gantt.umd.js"],
  ["frappe-gantt/dist/frappe-gantt.css", "frappe-gantt/frappe-gantt.css"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
];
mkdirSync(out, { recursive: true });
for (const [from, to] of files) {
  const src = join(root, "node_modules", from);
  if (!existsSync(src)) {
    console.error(`missing ${src}: run npm ci first`);
    process.exit(1);
  }
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(src, join(out, to));
}
writeFileSync(join(out, ".built"), new Date().toISOString() + "\n");
console.log(`assets: ${files.length} files -> ${out}`);
