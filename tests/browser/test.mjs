// Drives the Sitrep page in headless Chromium as an analyst would: markers on
// the map, the 18 May 2017 strike's card with each outlet's sentence, a
// brushed timeline, and a GeoJSON export. Saves docs/screenshot.png.
//
// Usage: node test.mjs BASE_URL SCREENSHOT_PATH
import { chromium } from "playwright-core";

const base = process.argv[2] || "http://127.0.0.1:8080";
const shot = process.argv[3] || "../../docs/screenshot.png";
let passed = 0, failed = 0;
function check(name, ok, detail = "") {
  if (ok) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`FAIL - ${name} ${detail}`); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const external = [];
  // The page must work with the network unplugged: fail any request that
  // leaves the server.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (!url.startsWith(base) && !url.startsWith("data:")) { external.push(url); return route.abort(); }
    return route.continue();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  check("page loads without script errors", errors.length === 0, errors.join("; "));
  check("page makes no request outside the server", external.length === 0, external.join(", "));

  const land = await page.locator("#basemap path").count();
  check("basemap drawn offline", land > 100, `countries: ${land}`);
  await page.waitForSelector("#markers circle", { timeout: 10000 });
  const markers = await page.locator("#markers circle").count();
  check("event markers on the map", markers > 0, `markers: ${markers}`);
  const zones = await page.locator("#overlays path.zone").count();
  check("deconfliction zone drawn", zones > 0, `zones: ${zones}`);

  // Find the 18 May 2017 strike through the API, as the list shows it.
  const list = await (await page.request.get(`${base}/api/events?from=2017-05-18&to=2017-05-18&category=ASSAULT&sort=sources`)).json();
  const strike = list.items.find((e) => e.date && e.date.start === "2017-05-18");
  check("18 May 2017 strike is an event", !!strike, JSON.stringify(list.items.map((e) => [e.date, e.summary])));
  if (strike) {
    // Narrow the list so the strike is on the first page, then click it.
    await page.fill("input[name=from]", "2017-05-18");
    await page.fill("input[name=to]", "2017-05-18");
    await page.locator("input[name=to]").dispatchEvent("input");
    await page.waitForSelector(`#event-list li[data-id="${strike.id}"]`, { timeout: 10000 });
    await page.click(`#event-list li[data-id="${strike.id}"]`);
    await page.waitForSelector("#card:not([hidden]) .mention", { timeout: 10000 });
    const outlets = await page.locator("#card .mention h4").allTextContents();
    check("strike card shows four outlets side by side", new Set(outlets).size >= 4, outlets.join(" | "));
    const quotes = await page.locator("#card .mention blockquote").count();
    check("each outlet's sentence is shown", quotes >= outlets.length, `quotes: ${quotes}`);
    const why = await page.locator("#card .why").count();
    check("card says why it was coded so", why === 1);
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await page.click("#card .close");
    await page.click("#reset");
    await page.waitForTimeout(500);
  }

  // Brush the timeline: drag across its middle third; the list must narrow.
  const before = await page.locator("#summary-line").textContent();
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((b) => document.querySelector("#summary-line").textContent !== b, before, { timeout: 10000 }).catch(() => {});
  const after = await page.locator("#summary-line").textContent();
  check("brushing the timeline filters the list", after !== before && /between/.test(after), `${before} -> ${after}`);

  // Export GeoJSON with the current filters, through the page's own link.
  const href = await page.locator("#export-geojson").getAttribute("href");
  const resp = await page.request.get(base + href);
  const geo = await resp.json();
  check("GeoJSON export downloads", resp.ok() && geo.type === "FeatureCollection" && Array.isArray(geo.features), href);
  const all = await (await page.request.get(`${base}/api/export/events.geojson`)).json();
  check("export respects the brushed range", geo.features.length <= all.features.length && all.features.length > 0,
    `${geo.features.length} of ${all.features.length}`);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
