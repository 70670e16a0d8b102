// Rida's live display for a centre's waiting hall (criterion 2.3.5): today's, this week's and this
// quarter's satisfaction per channel, pushed by Rida's event stream, reconnecting by itself.
// The stream is read with fetch so the key travels in a header, never in the address.
"use strict";

const centre = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const params = new URLSearchParams(location.hash.slice(1));
if (params.get("key")) {
  localStorage.setItem("rida.liveKey", JSON.stringify(params.get("key")));
  history.replaceState(null, "", location.pathname + location.search);
}
function key() {
  for (const name of ["rida.liveKey", "rida.key"]) {
    try { const v = JSON.parse(localStorage.getItem(name)); if (v) return v; } catch (e) { /* next */ }
  }
  return null;
}

let language = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "ar";
let latest = null;
let connected = false;

const texts = {
  ar: {
    title: "مستوى رضا العملاء", toggle: "English", today: "اليوم", week: "هذا الأسبوع", quarter: "هذا الربع",
    all: "جميع القنوات", responses: "عدد التقييمات", mean: "متوسط الرضا", share4: "راضون (٤–٥)",
    online: "مباشر", offline: "إعادة الاتصال…", updated: "آخر تحديث", noKey: "لا يوجد مفتاح عرض: افتح هذه الصفحة بالرابط الذي يطبعه rida serve.",
    met: "يحقق المعيار", notMet: "دون المعيار", few: "عينة صغيرة", none: "لا تقييمات بعد", of5: "من ٥",
  },
  en: {
    title: "Customer satisfaction", toggle: "العربية", today: "Today", week: "This week", quarter: "This quarter",
    all: "All channels", responses: "Ratings", mean: "Mean satisfaction", share4: "Satisfied (4–5)",
    online: "Live", offline: "Reconnecting…", updated: "Updated", noKey: "No display key: open this page with the link rida serve prints.",
    met: "meets the target", notMet: "below the target", few: "small sample", none: "no ratings yet", of5: "of 5",
  },
};

function number(value, digits) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(language === "ar" ? "ar-BH" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function channelName(id) {
  if (id === null) return texts[language].all;
  const channel = (latest.channels || []).find((c) => c.id === id);
  return channel && channel.name ? channel.name[language] : id;
}

function verdict(f) {
  const t = texts[language];
  if (f.responses === 0) return el("span", { class: "badge none" }, t.none);
  if (!f.sufficient) return el("span", { class: "badge few" }, t.few);
  const met = f.thresholds.meanAtLeast4 && f.thresholds.atLeast3In80Percent;
  return el("span", { class: met ? "badge met" : "badge not-met" }, met ? t.met : t.notMet);
}

function row(f) {
  return el("tr", { "data-channel": f.channel === null ? "all" : f.channel },
    el("th", { scope: "row" }, channelName(f.channel)),
    el("td", { class: "responses" }, number(f.responses, 0)),
    el("td", { class: "mean" }, f.mean === null ? "–" : `${number(f.mean, 2)} ${texts[language].of5}`),
    el("td", { class: "share4" }, f.share4 === null ? "–" : `${number(f.share4 * 100, 0)}٪`.replace("٪", language === "ar" ? "٪" : "%")),
    el("td", {}, verdict(f)));
}

function panel(name, period) {
  const t = texts[language];
  const table = el("table", { class: "figures" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), el("th", { scope: "col" }, t.responses),
      el("th", { scope: "col" }, t.mean), el("th", { scope: "col" }, t.share4), el("th", { scope: "col" }, ""))),
    el("tbody", {}, row(period.all), ...period.channels.map(row)));
  return el("section", { class: "panel", id: "panel-" + name, "aria-labelledby": "heading-" + name },
    el("h2", { id: "heading-" + name }, t[name]),
    el("p", { class: "headline", "data-role": "mean" }, period.all.mean === null ? "–" : number(period.all.mean, 2)),
    el("p", { class: "headline-label" }, `${t.mean} — ${t.responses}: ${number(period.all.responses, 0)}`),
    table);
}

function render() {
  const t = texts[language];
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
  document.title = `${t.title} · ${centre}`;
  document.getElementById("title").textContent = `${t.title} · ${centre}`;
  document.getElementById("language").textContent = t.toggle;
  document.getElementById("connection").textContent = connected ? t.online : t.offline;
  document.getElementById("connection").dataset.state = connected ? "online" : "offline";
  const panels = document.getElementById("panels");
  if (!key()) { panels.replaceChildren(el("p", { class: "notice" }, t.noKey)); return; }
  if (!latest) return;
  panels.replaceChildren(panel("today", latest.today), panel("week", latest.week), panel("quarter", latest.quarter));
  const when = new Date(latest.generatedAt);
  document.getElementById("updated").textContent = `${t.updated}: ${when.toLocaleTimeString(language === "ar" ? "ar-BH" : "en-GB")}`;
  document.body.dataset.responsesToday = String(latest.today.all.responses);
}

async function listen() {
  let wait = 1000;
  for (;;) {
    const k = key();
    if (!k) { render(); return; }
    try {
      const answer = await fetch(`/v1/live/${encodeURIComponent(centre)}/events`, {
        headers: { "Authorization": "Bearer " + k, "Accept": "text/event-stream" }, cache: "no-store",
      });
      if (!answer.ok || !answer.body) throw new Error("status " + answer.status);
      connected = true;
      wait = 1000;
      render();
      const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
          if (data) { latest = JSON.parse(data); render(); }
        }
      }
    } catch (e) {
      // the server is restarting or the network is down: try again shortly
    }
    connected = false;
    render();
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(10000, wait * 2);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("language").addEventListener("click", () => { language = language === "ar" ? "en" : "ar"; render(); });
  render();
  listen();
});
