// Opens each report.html in headless Chromium with every network request refused, and
// checks that every chart is drawn with a non-zero size, that no resource failed to load
// and that no console error occurred; that every question of the report's first table
// is in some chart; and that a report on data that are not a reconstruction has no
// reproduction sections (nor a claims section without claims). Keeps a full-page
// screenshot per report.
//
// Usage: node tests/browser/check_report.mjs REPORT.html [REPORT.html ...]
// Screenshots go to target/browser/<study>.png. Exit status 1 on any failure.
import { chromium } from "playwright-core";
import path from "node:path";
import fs from "node:fs";

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const reports = process.argv.slice(2);
if (reports.length === 0) {
  console.error("usage: node check_report.mjs REPORT.html ...");
  process.exit(2);
}
const outDir = path.resolve("target/browser");
fs.mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let failures = 0;
let passed = 0;
for (const report of reports) {
  const file = path.resolve(report);
  const study = path.basename(path.dirname(file));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console error: ${msg.text()}`); });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`failed to load: ${req.url()}`));
  // The report must be self-contained: refuse anything that is not the file itself.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url === "file://" + file || url.startsWith("data:")) return route.continue();
    problems.push(`requested an external resource: ${url}`);
    return route.abort();
  });
  await page.goto("file://" + file, { waitUntil: "load" });
  const charts = await page.$$eval("figure svg", (svgs) =>
    svgs.map((s) => {
      const r = s.getBoundingClientRect();
      return { id: s.closest("figure").id, width: r.width, height: r.height, texts: s.querySelectorAll("text").length };
    }));
  if (charts.length === 0) problems.push("no charts found");
  for (const c of charts) {
    if (!(c.width > 100 && c.height > 100)) problems.push(`${c.id} drawn at ${c.width}x${c.height}`);
    if (c.texts < 3) problems.push(`${c.id} has only ${c.texts} text elements`);
  }
  const figures = await page.$$eval("figure[role=img]", (fs) => fs.filter((f) => (f.getAttribute("aria-label") || "").length > 20).length);
  if (figures !== charts.length) problems.push(`only ${figures} of ${charts.length} charts have alt text`);
  // Every question of the first table by question ("What the data say", or the waves)
  // is charted.
  const coverage = await page.evaluate(() => {
    const section = document.querySelector("section#data, section#waves");
    const tables = section ? [...section.querySelectorAll("table")] : [];
    const table = tables.find((t) => (t.querySelector("th") || {}).textContent === "Question");
    const questions = new Set();
    if (table) {
      for (const row of table.querySelectorAll("tbody tr")) {
        const cell = row.querySelector("td");
        if (cell) questions.add(cell.textContent.trim());
      }
    }
    const alts = [...document.querySelectorAll("figure[role=img]")].map((f) => f.getAttribute("aria-label") || "");
    const titles = [...document.querySelectorAll("figure figcaption")].map((f) => f.textContent);
    const text = alts.join(" ") + " " + titles.join(" ");
    return {
      questions: questions.size,
      uncharted: [...questions].filter((q) => !text.includes(q)),
      sections: [...document.querySelectorAll("section[id]")].map((s) => s.id),
      claimRows: document.querySelectorAll("section#claims tbody tr").length,
      body: document.body.innerText,
    };
  });
  if (coverage.questions === 0) problems.push("no questions found in the first table");
  for (const q of coverage.uncharted) problems.push(`question "${q}" is in no chart`);
  if (!coverage.sections.includes("reconstruction")) {
    for (const word of ["Reproduced with", "reconstructed", "How the data were reconstructed"]) {
      if (coverage.body.includes(word)) problems.push(`"${word}" in a report on data that are not a reconstruction`);
    }
  }
  if (coverage.sections.includes("claims") && coverage.claimRows === 0) problems.push("a claims section with no claim in its table");
  const shot = path.join(outDir, `${study}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await page.close();
  if (problems.length) {
    failures += 1;
    console.log(`FAIL ${study}: ${problems.join("; ")}`);
  } else {
    passed += 1;
    console.log(`ok ${study}: ${coverage.questions} questions, ${charts.length} charts drawn (${charts.map((c) => `${c.id} ${Math.round(c.width)}x${Math.round(c.height)}`).join(", ")}); screenshot ${shot}`);
  }
}
await browser.close();
console.log(`browser: ${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
