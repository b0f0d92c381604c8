// The fleet page: one row per host, from nginx's JSON directory listings of
// the answerfiles (the hosts) and of the reports the hosts PUT.  A report is
// fetched again only when its time stamp changes.  No server of our own.
"use strict";

const params = new URLSearchParams(location.search);
const EVERY_MS = 1000 * Math.max(1, Number(params.get("every")) || 5);
const reports = new Map(); // host -> {mtime, report}

async function listing(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  // Ages are measured on the server's clock, not the browser's.
  const now = Date.parse(r.headers.get("Date")) || Date.now();
  return {now, entries: await r.json()};
}

function ageText(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function progressBar(resync) {
  const pct = Math.max(0, Math.min(100, resync.percent));
  const bar = el("div", "bar");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.setAttribute("aria-valuenow", String(pct));
  bar.title = `${resync.array}: ${resync.done_bytes} of ${resync.total_bytes} bytes`;
  const fill = el("div", "fill");
  fill.style.width = `${pct}%`;
  bar.append(fill, el("span", "", `${resync.array} ${pct}%`));
  return bar;
}

function row(host, entry, now) {
  const tr = el("tr");
  tr.dataset.host = host;
  const report = entry && entry.report;
  const state = report ? report.state : "waiting";
  tr.dataset.state = state;

  tr.append(el("td", "host", host));

  const stateCell = el("td");
  stateCell.append(el("span", `state state-${state}`, state));
  if (report && report.message) stateCell.append(el("div", "message", report.message));
  tr.append(stateCell);

  const step = report && report.step;
  const stepCell = el("td", "step", step ? `${step.number}/${step.total} ${step.id}` : "–");
  if (step) stepCell.title = step.title;
  tr.append(stepCell);

  const resyncCell = el("td", "resync");
  if (report && report.resync) resyncCell.append(progressBar(report.resync));
  else resyncCell.textContent = "–";
  tr.append(resyncCell);

  const disksCell = el("td", "disks");
  for (const d of (report && report.disks) || []) {
    disksCell.append(el("span", `disk boot-${d.boot}`, `${d.name}: ${d.boot}`), " ");
  }
  if (!disksCell.childNodes.length) disksCell.textContent = "–";
  tr.append(disksCell);

  tr.append(el("td", "age", entry ? ageText(now - entry.mtime) : "never"));
  return tr;
}

async function refresh() {
  const problem = document.getElementById("problem");
  try {
    const hosts = await listing("/hosts/");
    const names = hosts.entries.filter(e => e.type === "file" && e.name.endsWith(".xml"))
      .map(e => e.name.slice(0, -4)).sort();
    const listed = await listing("/state/reports/");
    for (const e of listed.entries) {
      if (e.type !== "file" || !e.name.endsWith(".json")) continue;
      const host = e.name.slice(0, -5);
      const mtime = Date.parse(e.mtime);
      const known = reports.get(host);
      if (known && known.mtime === mtime) continue;
      const r = await fetch(`/state/reports/${encodeURIComponent(e.name)}`, {cache: "no-store"});
      if (r.ok) reports.set(host, {mtime, report: await r.json()});
    }
    const counts = {};
    const body = document.querySelector("#fleet tbody");
    body.replaceChildren(...names.map(host => {
      const tr = row(host, reports.get(host), listed.now);
      counts[tr.dataset.state] = (counts[tr.dataset.state] || 0) + 1;
      return tr;
    }));
    const parts = Object.keys(counts).sort().map(s => `${counts[s]} ${s}`);
    document.getElementById("summary").textContent =
      `${names.length} host${names.length === 1 ? "" : "s"}: ${parts.join(", ")} ` +
      `(updated ${new Date(listed.now).toISOString().slice(11, 19)} UTC)`;
    problem.hidden = true;
  } catch (err) {
    problem.textContent = `Cannot read the reports: ${err.message}`;
    problem.hidden = false;
  }
  setTimeout(refresh, EVERY_MS);
}

refresh();
