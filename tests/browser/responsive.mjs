// Measures how the page responds on a large store (run by hand, not in CI):
// time to first render, to apply a filter, to redraw clusters after a zoom,
// to brush the timeline, and to open an event card.
//
// Usage: node responsive.mjs BASE_URL
import { chromium } from "playwright-core";

const base = process.argv[2] || "http://127.0.0.1:8089";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const ms = (t0) => Math.round(performance.now() - t0);
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  let t0 = performance.now();
  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 60000 });
  console.log(`first render (basemap, clusters, list, timeline): ${ms(t0)} ms`);
  const total = await page.locator("#summary-line").textContent();
  console.log(`list: ${total}; markers drawn: ${await page.locator("#markers circle").count()}`);

  t0 = performance.now();
  const before = await page.locator("#summary-line").textContent();
  await page.selectOption("select[name=category]", "ASSAULT");
  await page.waitForFunction((b) => document.querySelector("#summary-line").textContent !== b, before);
  console.log(`filter by category: ${ms(t0)} ms -> ${await page.locator("#summary-line").textContent()}`);

  const box = await page.locator("#map").boundingBox();
  t0 = performance.now();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -300);
  await page.waitForResponse((r) => r.url().includes("/api/events/clusters"));
  console.log(`zoom x4 and redraw clusters: ${ms(t0)} ms; markers: ${await page.locator("#markers circle").count()}`);

  const tl = await page.locator("#timeline").boundingBox();
  const b2 = await page.locator("#summary-line").textContent();
  t0 = performance.now();
  await page.mouse.move(tl.x + tl.width * 0.4, tl.y + tl.height / 2);
  await page.mouse.down();
  await page.mouse.move(tl.x + tl.width * 0.6, tl.y + tl.height / 2, { steps: 10 });
  await page.mouse.up();
  await page.waitForFunction((b) => document.querySelector("#summary-line").textContent !== b, b2);
  console.log(`brush timeline: ${ms(t0)} ms -> ${await page.locator("#summary-line").textContent()}`);

  t0 = performance.now();
  await page.click("#event-list li[data-id]");
  await page.waitForSelector("#card:not([hidden]) h2");
  console.log(`open an event card: ${ms(t0)} ms`);
} finally {
  await browser.close();
}
