// Rida's kiosk page and device set-up. No library, no network but Rida's own.
// Every response gets its id here, is queued in localStorage and retried with back-off until Rida
// acknowledges it (201 created or 200 duplicate), so an outage loses nothing and counts nothing twice.
// A customer's phone or e-mail (given only with the box ticked) is personal data on a shared device. Decided: it rides
// in its queued response until Rida acknowledges it, since dropping it would lose the customer's request to be
// contacted; it leaves the device with that response (usually at once), the form is emptied as soon as the response is
// queued, and a response Rida refuses for good is kept aside without it.
"use strict";

const store = {
  get(name, fallback) {
    try { const v = localStorage.getItem("rida." + name); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
  },
  set(name, value) { localStorage.setItem("rida." + name, JSON.stringify(value)); },
};

// crypto.randomUUID needs a secure context; a kiosk on a plain-http LAN address has only getRandomValues.
function newID() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- The queue ------------------------------------------------------------------------------------
const Queue = {
  items() { return store.get("queue", []); },
  save(items) { store.set("queue", items); },
  add(body) {
    const items = this.items();
    items.push({ id: body.id, body, attempts: 0, nextAt: 0 });
    this.save(items);
  },
  remove(id) { this.save(this.items().filter((item) => item.id !== id)); },
  postpone(id) {
    this.save(this.items().map((item) => {
      if (item.id !== id) return item;
      const attempts = item.attempts + 1;
      const wait = Math.min(60000, 1000 * Math.pow(2, attempts - 1)) * (0.75 + Math.random() * 0.5);
      return { ...item, attempts, nextAt: Date.now() + wait };
    }));
  },
  park(item, reason) {
    // Refused for good (invalid, out of the key's scope): kept for staff, never retried, never lost silently; but not
    // the customer's contact, which nobody would ever act on from here (the page checks it as Rida does, so a refusal
    // for it alone does not happen with this Rida).
    const parked = store.get("refused", []);
    const { contact_consent, contact_phone, contact_email, ...body } = item.body;
    const contactRemoved = contact_consent !== undefined || contact_phone !== undefined || contact_email !== undefined;
    parked.push({ ...item, body, reason, ...(contactRemoved ? { contactRemoved: true } : {}) });
    store.set("refused", parked);
    this.remove(item.id);
  },
};

let flushing = false;
let timer = null;

// ---- The clock ------------------------------------------------------------------------------------
// A kiosk whose clock was never set says 1970; one set a year ahead would date every rating wrongly. Every answer from
// Rida carries its time (the Date header): the kiosk keeps how far its own clock is from Rida's.
const Clock = {
  learn(answer) {
    const date = Date.parse(answer.headers.get("Date") || "");
    if (!Number.isNaN(date)) store.set("clockOffset", date - Date.now());
  },
  // The time of a rating: the device's, unless it is obviously wrong (before the deployment's earliest date, or more
  // than a day ahead of Rida's); then Rida's, as last learned (or, never learned, left to Rida to stamp on receipt).
  stamp() {
    const device = Date.now();
    const offset = store.get("clockOffset", null);
    const earliest = Date.parse((boot && boot.earliestDate) || "2015-01-01");
    const wrong = device < earliest || (offset !== null && -offset > 86400000);
    if (!wrong) return { submitted_at: new Date(device).toISOString() };
    // Never heard from Rida, or its time as estimated is no better: Rida stamps the time of receipt.
    if (offset === null || device + offset < earliest) return { clock: "server" };
    return { submitted_at: new Date(device + offset).toISOString(), clock: "server" };
  },
};

async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    const key = store.get("key", null);
    for (const item of Queue.items()) {
      if (item.nextAt > Date.now() || !key) continue;
      let status = 0;
      try {
        const answer = await fetch("/v1/responses", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Authorization": "Bearer " + key },
          body: JSON.stringify(item.body),
          cache: "no-store",
        });
        status = answer.status;
        Clock.learn(answer);
      } catch (e) {
        status = 0; // the network or the server is down
      }
      if (status === 201 || status === 200 || status === 409) {
        Queue.remove(item.id); // stored (or already stored under this id): acknowledged
      } else if (status === 400 || status === 403 || status === 413 || status === 415 || status === 422) {
        Queue.park(item, status);
      } else {
        Queue.postpone(item.id); // 0, 401, 429, 5xx: try again later
        if (status === 0) break; // no point trying the rest now
      }
    }
  } finally {
    flushing = false;
    schedule();
    showStatus();
  }
}

function schedule() {
  clearTimeout(timer);
  const items = Queue.items();
  if (items.length === 0) return;
  const next = Math.min(...items.map((item) => item.nextAt));
  timer = setTimeout(flush, Math.max(250, next - Date.now()));
}

// ---- Texts ----------------------------------------------------------------------------------------
const texts = {
  ar: {
    intro: "قيّم تجربتك اليوم: اختر رقماً لكل سؤال، من ١ (غير راضٍ جداً) إلى ٥ (راضٍ جداً).",
    submit: "إرسال التقييم", toggle: "English", optional: "(اختياري)",
    needRating: "اختر تقييماً لسؤال واحد على الأقل.",
    thanksTitle: "شكراً لك", thanksText: "تم استلام تقييمك. نسعد بخدمتك.",
    pending: (n) => `${n} تقييم بانتظار الإرسال`, notSetUp: "هذا الجهاز غير مُعد بعد: يفتح الموظف صفحة الإعداد /kiosk/setup مرة واحدة.",
    consent: "يمكنكم التواصل معي بخصوص تقييمي", consentNote: "لا نستخدم رقمك أو بريدك إلا لمتابعة تقييمك هذا.",
    phone: "رقم الهاتف", email: "البريد الإلكتروني", contactHint: "اكتب رقم هاتف أو بريداً إلكترونياً، أو كليهما.",
    needContact: "اكتب رقم هاتف أو بريداً إلكترونياً لنتواصل معك عليه، أو ألغِ اختيار التواصل.",
    badPhone: "رقم الهاتف غير صحيح: اكتب من ٧ إلى ١٥ رقماً.",
    badEmail: "البريد الإلكتروني غير صحيح: اكتبه مثل name@example.bh.",
  },
  en: {
    intro: "Rate your visit today: pick a number for each question, from 1 (very dissatisfied) to 5 (very satisfied).",
    submit: "Send my rating", toggle: "العربية", optional: "(optional)",
    needRating: "Choose a rating for at least one question.",
    thanksTitle: "Thank you", thanksText: "Your rating has been received.",
    pending: (n) => `${n} rating${n === 1 ? "" : "s"} waiting to be sent`, notSetUp: "This kiosk is not set up yet: staff open /kiosk/setup once.",
    consent: "You may contact me about my answer", consentNote: "Your phone number or e-mail is used only to follow up this answer.",
    phone: "Phone number", email: "E-mail address", contactHint: "Give a phone number, an e-mail address, or both.",
    needContact: "Give a phone number or an e-mail address to contact you on, or untick the box.",
    badPhone: "This phone number is not valid: give 7 to 15 digits.",
    badEmail: "This e-mail address is not valid: write it like name@example.bh.",
  },
};

let language = "ar";
let boot = null;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function render() {
  const t = texts[language];
  const survey = boot.survey;
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
  document.title = survey.title[language];
  document.getElementById("title").textContent = survey.title[language];
  const toggle = document.getElementById("language");
  toggle.textContent = t.toggle;
  toggle.lang = language === "ar" ? "en" : "ar";
  document.getElementById("intro").textContent = t.intro;
  document.getElementById("submit").textContent = t.submit;
  document.getElementById("thanks-title").textContent = t.thanksTitle;
  document.getElementById("thanks-text").textContent = t.thanksText;
  document.getElementById("contact-consent-label").textContent = t.consent;
  document.getElementById("contact-note").textContent = t.consentNote;
  document.getElementById("contact-hint").textContent = t.contactHint;
  document.getElementById("contact-phone-label").textContent = t.phone;
  document.getElementById("contact-email-label").textContent = t.email;
  showContactProblem();

  // Keep what the customer already chose when the language changes.
  const chosen = {};
  for (const input of document.querySelectorAll("#questions input, #details input, #details textarea")) {
    if (input.type === "radio") { if (input.checked) chosen[input.name] = input.value; }
    else chosen[input.name] = input.value;
  }
  const questions = document.getElementById("questions");
  const details = document.getElementById("details");
  questions.replaceChildren();
  details.replaceChildren();
  const labels = [...survey.scale.labels].sort((a, b) => a.value - b.value);
  for (const question of survey.questions) {
    if (question.kind === "rating") {
      const legendID = "legend-" + question.id;
      const set = el("fieldset", { class: "question", "aria-labelledby": legendID });
      set.append(el("legend", { id: legendID }, question.text[language]));
      const row = el("div", { class: "scale", role: "radiogroup", "aria-labelledby": legendID });
      for (const label of labels) {
        const id = `${question.id}-${label.value}`;
        const input = el("input", { type: "radio", name: question.id, id, value: String(label.value), class: "choice-input" });
        if (chosen[question.id] === String(label.value)) input.checked = true;
        const text = el("label", { for: id, class: `choice choice-${label.value}` },
          el("span", { class: "number", "aria-hidden": "true" }, language === "ar" ? "١٢٣٤٥"[label.value - 1] : String(label.value)),
          el("span", { class: "words" }, label[language]));
        row.append(input, text);
      }
      set.append(row);
      questions.append(set);
    } else if (question.field && (question.field !== "counter" || !store.get("counter", ""))) {
      const id = "field-" + question.field;
      const wrapper = el("div", { class: "detail" });
      wrapper.append(el("label", { for: id }, `${question.text[language]} ${t.optional}`));
      const input = question.field === "comment"
        ? el("textarea", { id, name: question.field, rows: "3", maxlength: "4000" })
        : el("input", { id, name: question.field, type: "text", maxlength: "200", autocomplete: "off" });
      input.value = chosen[question.field] || "";
      wrapper.append(input);
      details.append(wrapper);
    }
  }
  showStatus();
}

function showStatus() {
  const status = document.getElementById("status");
  if (!status) return;
  const n = Queue.items().length;
  status.textContent = n > 0 ? texts[language].pending(n) : "";
}

// ---- The customer's leave to be contacted -----------------------------------------------------------------
// As Rida's ResponseValidator.contact: 7 to 15 digits (Arabic-Indic read as digits), an optional leading +, spaces,
// dashes, dots, brackets; a plain e-mail address. Checked here so that Rida never refuses a rating for its contact.
function phoneNumber(text) {
  let digits = 0;
  for (const [position, char] of [...text].entries()) {
    if (/[0-9\u0660-\u0669\u06F0-\u06F9]/.test(char)) digits += 1;
    else if (!(char === "+" && position === 0) && !/[ \-.()\u00A0]/.test(char)) return false;
  }
  return digits >= 7 && digits <= 15;
}

function emailAddress(text) {
  const at = text.lastIndexOf("@");
  if (at < 1 || new TextEncoder().encode(text).length > 254) return false;
  const local = text.slice(0, at), domain = text.slice(at + 1);
  const labels = domain.split(".");
  if (new TextEncoder().encode(local).length > 64 || labels.length < 2 || labels.some((label) => label === "")) return false;
  if (/[\u0000-\u0020\u007F"<>()[\]\\,;:]/.test(text) || local.includes("@")) return false;
  return !/[!#$%&'*+/=?^`{|}~_]/.test(domain);
}

let contactProblem = null; // the key of the text shown next to the contact fields, or null

function showContact() {
  const ticked = document.getElementById("contact-consent").checked;
  document.getElementById("contact-fields").hidden = !ticked;
  if (ticked) return;
  // Unticked: what was typed goes at once; it would not be sent anyway.
  document.getElementById("contact-phone").value = "";
  document.getElementById("contact-email").value = "";
  setContactProblem(null);
}

function setContactProblem(problem, field) {
  contactProblem = problem;
  for (const id of ["contact-phone", "contact-email"]) {
    const input = document.getElementById(id);
    const wrong = problem !== null && (field === undefined || field === id);
    if (wrong) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", wrong ? "contact-error contact-hint" : "contact-hint");
  }
  showContactProblem();
}

function showContactProblem() {
  const error = document.getElementById("contact-error");
  error.textContent = contactProblem ? texts[language][contactProblem] : "";
  error.hidden = contactProblem === null;
}

// The fields to send, {} when the box is not ticked, or null (and the page says why) when they cannot be sent.
function contactFields() {
  if (!document.getElementById("contact-consent").checked) return {};
  const phone = document.getElementById("contact-phone").value.trim();
  const email = document.getElementById("contact-email").value.trim();
  let problem = null, field;
  if (!phone && !email) problem = "needContact";
  else if (phone && !phoneNumber(phone)) { problem = "badPhone"; field = "contact-phone"; }
  else if (email && !emailAddress(email)) { problem = "badEmail"; field = "contact-email"; }
  setContactProblem(problem, field);
  if (problem) {
    document.getElementById(field || "contact-phone").focus();
    return null;
  }
  return { contact_consent: true, ...(phone ? { contact_phone: phone } : {}), ...(email ? { contact_email: email } : {}) };
}

// ---- The customer's journey ------------------------------------------------------------------------
let resetTimer = null;
let idleTimer = null;

// Empties every field and unticks the box (form.reset() fires no change event: the contact part is hidden here).
function clearForm() {
  document.getElementById("survey").reset();
  showContact();
}

function resetForm() {
  clearTimeout(resetTimer);
  language = "ar";
  clearForm();
  document.getElementById("form-error").hidden = true;
  document.getElementById("thanks").hidden = true;
  document.getElementById("survey").hidden = false;
  render();
  window.scrollTo(0, 0);
}

function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(resetForm, 90000); // a customer who walked away: start afresh for the next one
}

function submit(event) {
  event.preventDefault();
  const form = new FormData(document.getElementById("survey"));
  const body = {
    id: newID(),
    centre: store.get("centre", ""),
    channel: "kiosk",
    ...Clock.stamp(),
    stage: "after",
  };
  let rated = 0;
  for (const question of boot.survey.questions) {
    if (question.kind !== "rating") continue;
    const value = form.get(question.id);
    if (value) { body[question.id] = Number(value); rated += 1; }
  }
  const error = document.getElementById("form-error");
  if (rated === 0) {
    error.textContent = texts[language].needRating;
    error.hidden = false;
    error.focus();
    return;
  }
  error.hidden = true;
  const contact = contactFields();
  if (contact === null) return;
  Object.assign(body, contact);
  for (const name of ["service", "counter", "comment"]) {
    const value = (form.get(name) || "").trim();
    if (value) body[name] = value;
  }
  const counter = store.get("counter", "");
  if (counter) body.counter = counter; // set once for this kiosk at /kiosk/setup
  Queue.add(body);
  clearForm(); // nothing of this customer's stays on the screen, hidden or not, for the next one
  flush();
  document.getElementById("survey").hidden = true;
  const thanks = document.getElementById("thanks");
  thanks.hidden = false;
  thanks.focus();
  clearTimeout(idleTimer);
  resetTimer = setTimeout(resetForm, 6000);
}

function startKiosk() {
  boot = JSON.parse(document.getElementById("boot").textContent);
  render();
  if (!store.get("key", null) || !store.get("centre", null)) {
    const notice = document.getElementById("not-set-up");
    notice.textContent = `${texts.ar.notSetUp} · ${texts.en.notSetUp}`;
    notice.hidden = false;
  }
  document.getElementById("language").addEventListener("click", () => { language = language === "ar" ? "en" : "ar"; render(); touched(); });
  document.getElementById("survey").addEventListener("submit", submit);
  document.getElementById("contact-consent").addEventListener("change", showContact);
  document.getElementById("survey").addEventListener("input", touched);
  window.addEventListener("online", flush);
  fetch("/health", { cache: "no-store" }).then(Clock.learn, () => {});
  flush();
}

// ---- Device set-up --------------------------------------------------------------------------------
function startSetup() {
  const params = new URLSearchParams(location.hash.slice(1));
  const form = document.getElementById("setup-form");
  form.key.value = params.get("key") || store.get("key", "") || "";
  form.centre.value = params.get("centre") || store.get("centre", "") || "";
  form.counter.value = params.get("counter") || store.get("counter", "") || "";
  if (location.hash) history.replaceState(null, "", location.pathname); // the key leaves the address bar
  const result = document.getElementById("setup-result");
  async function save(event) {
    if (event) event.preventDefault();
    const key = form.key.value.trim();
    const centre = form.centre.value.trim();
    if (!key || !centre) { result.textContent = "أدخل المفتاح والمركز · Enter the key and the centre."; return; }
    store.set("key", key);
    store.set("centre", centre);
    store.set("counter", form.counter.value.trim());
    try {
      const answer = await fetch("/v1/key", { headers: { "Authorization": "Bearer " + key }, cache: "no-store" });
      if (answer.ok) {
        const info = await answer.json();
        const fits = info.role !== "submitter" || info.centre === centre;
        result.textContent = fits
          ? `تم الحفظ · Saved: ${info.label} (${info.role}, ${info.centre || "*"})`
          : `المفتاح لمركز آخر · This key submits for ${info.centre}, not ${centre}.`;
        result.dataset.state = fits ? "saved" : "wrong-centre";
      } else {
        result.textContent = `المفتاح مرفوض · Rida refused the key (${answer.status}).`;
        result.dataset.state = "refused";
      }
    } catch (e) {
      result.textContent = "تم الحفظ؛ تعذر التحقق الآن · Saved; Rida cannot be reached to check the key now.";
      result.dataset.state = "saved-unchecked";
    }
  }
  form.addEventListener("submit", save);
  if (params.get("key")) save();
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.page === "setup") startSetup(); else startKiosk();
});
