// Opens the offline calculator page (web/build.sh) in headless Chromium with every
// network request refused, fills in the fields, reads the verdict, and checks that the
// page's documents equal what `invitestat compare --json`, `invitestat ci --json` and
// `invitestat check - --json` print for the same inputs (numbers to 1e-12 relative: the WebAssembly build uses
// Rust's own libm, the native binary the system's). Keeps a screenshot in
// target/browser/page.png.
//
// Usage: node tests/browser/check_page.mjs PAGE.html INVITESTAT-BINARY
// Exit status 1 on any failure.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import path from "node:path";
import fs from "node:fs";

const [pageFile, binary] = process.argv.slice(2);
if (!pageFile || !binary) {
  console.error("usage: node check_page.mjs PAGE.html INVITESTAT-BINARY");
  process.exit(2);
}
const file = path.resolve(pageFile);
const outDir = path.resolve("target/browser");
fs.mkdirSync(outDir, { recursive: true });

// Each case: the page's fields, and the same comparison on the command line.
const cases = [
  {
    fields: { first: "87%", second: "63%", n1: "55..59", n2: "341..345", total: "400", rounding: "half-up", family: "1" },
    args: ["compare", "87%", "63%", "--n1", "55..59", "--n2", "341..345", "--total", "400"],
    verdict: "significant (p < 0.05, Fisher's exact test) for all 4 consistent sets",
  },
  {
    fields: { first: "21%/345", second: "6%/54..59", n1: "", n2: "", total: "", rounding: "half-up", family: "7" },
    args: ["compare", "21%/345", "6%/54..59", "--family", "7"],
    verdict: "and not for the others: the printed figures cannot tell",
  },
  {
    fields: { first: "87%/~60", second: "63%/~340", n1: "", n2: "", total: "", rounding: "any", family: "1" },
    args: ["compare", "87%/~60", "63%/~340", "--rounding", "any"],
    verdict: "consistent sets of counts",
  },
  {
    fields: { first: "6%/58", second: "21%/340", n1: "", n2: "", total: "", rounding: "half-up", family: "1" },
    args: ["compare", "6%/58", "21%/340"],
    verdict: "6% cannot be shown on any base from 58 to 58",
  },
];

function same(a, b, where, problems) {
  if (typeof a === "number" && typeof b === "number") {
    const scale = Math.max(Math.abs(a), Math.abs(b));
    if (a !== b && Math.abs(a - b) > 1e-12 * scale) problems.push(`${where}: page ${a}, command line ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) problems.push(`${where}: ${a.length} items on the page, ${b.length} on the command line`);
    a.forEach((x, i) => same(x, b[i], `${where}[${i}]`, problems));
  } else if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) same(a[k], b[k], `${where}.${k}`, problems);
  } else if (a !== b) {
    problems.push(`${where}: page ${JSON.stringify(a)}, command line ${JSON.stringify(b)}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
const problems = [];
page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console error: ${msg.text()}`); });
page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
await page.route("**/*", (route) => {
  const url = route.request().url();
  if (url === "file://" + file || url.startsWith("data:")) return route.continue();
  problems.push(`requested an external resource: ${url}`);
  return route.abort();
});
await page.goto("file://" + file, { waitUntil: "load" });
if (!(await page.textContent(".privacy")).includes("nothing you type is sent anywhere")) problems.push("no privacy notice");
for (const [i, c] of cases.entries()) {
  for (const [id, value] of Object.entries(c.fields)) {
    if (id === "rounding") await page.selectOption("#rounding", value);
    else await page.fill(`#${id}`, value);
  }
  await page.click("#run");
  const verdict = await page.textContent("#verdict");
  if (!verdict.includes(c.verdict)) problems.push(`case ${i + 1}: verdict "${verdict}" lacks "${c.verdict}"`);
  const doc = await page.evaluate(() => window.lastDocument);
  const cli = JSON.parse(execFileSync(binary, [...c.args, "--json"], { encoding: "utf8" }));
  same(doc, cli, `case ${i + 1}`, problems);
  if (i === 0) {
    const dots = await page.$$eval("#chart circle", (cs) => cs.length);
    if (dots !== 4) problems.push(`case 1: ${dots} points charted, not 4`);
    await page.screenshot({ path: path.join(outDir, "page.png"), fullPage: true });
  }
}
// The one-figure form: `ci` on the same inputs.
for (const [i, c] of [
  { share: "87%", base: "55..59", rounding: "half-up", args: ["ci", "87%", "55..59"] },
  { share: "<1%", base: "~340", rounding: "any", args: ["ci", "<1%", "~340", "--rounding", "any"] },
].entries()) {
  await page.fill("#share", c.share);
  await page.fill("#base", c.base);
  await page.selectOption("#one-rounding", c.rounding);
  await page.click("#run-one");
  const doc = await page.evaluate(() => window.lastInterval);
  const cli = JSON.parse(execFileSync(binary, [...c.args, "--json"], { encoding: "utf8" }));
  same(doc, cli, `interval ${i + 1}`, problems);
  const rows = await page.$$eval("#one-result tr", (r) => r.length);
  if (rows !== 8) problems.push(`interval ${i + 1}: ${rows - 1} methods shown, not 7`);
}
// The article form: `check` on the bundled source text, as the command line reads it
// from stdin.
const article = fs.readFileSync(path.resolve("data/executives-online/source.txt"), "utf8");
await page.fill("#article", article);
await page.click("#run-check");
const checked = await page.evaluate(() => window.lastCheck);
const cliCheck = JSON.parse(execFileSync(binary, ["check", "-", "--json"], { encoding: "utf8", input: article }));
checked.reading.source = cliCheck.reading.source;
checked.draft = checked.draft.replaceAll("pasted text", cliCheck.reading.source);
same(checked, cliCheck, "check", problems);
const claimRows = await page.$$eval("#check-result table:nth-of-type(3) tr", (r) => r.length);
if (claimRows !== 8) problems.push(`check: ${claimRows - 1} claims shown, not 7`);
const shown = await page.textContent("#check-result");
for (const words of ["cannot be reproduced", "50x more likely to be a recruiter than the hiring manager", "Not used (2 sentences)"]) {
  if (!shown.includes(words)) problems.push(`check: the page does not show "${words}"`);
}
await page.locator("#check-result").screenshot({ path: path.join(outDir, "check.png") });
await browser.close();
if (problems.length) {
  console.log(`FAIL ${pageFile}:\n  ${problems.slice(0, 20).join("\n  ")}`);
  process.exit(1);
}
console.log(`ok ${pageFile}: ${cases.length} comparisons, 2 intervals and an article's check equal the command line's; screenshots target/browser/page.png, check.png`);
