/* Rida's survey widget (issue 15 point 3), for an entity's website or app:
 *
 *   <script src="https://rida.example/embed.js" data-key="pk_…" data-channel="website"
 *           data-service="Passport renewal" data-stage="after" data-lang="ar" async></script>
 *
 * Draws the four questions in a shadow root right after the script (or inside the element `data-target` names), in
 * the page's language (data-lang, else the page's <html lang>; Arabic right to left, English otherwise), and sends
 * the answers to the Rida that served this script. Everything it shows is set as text, never as markup. An answer
 * keeps one id through its retries, so a visitor's answer is stored once however often the network fails.
 */
(function () {
  "use strict";
  var counter = 0;
  var scripts = document.currentScript ? [document.currentScript]
    : Array.prototype.slice.call(document.querySelectorAll("script[data-key][src$='/embed.js']"));
  scripts.forEach(function (script) {
    if (!script || script.getAttribute("data-rida-drawn")) return;
    script.setAttribute("data-rida-drawn", "1");
    start(script);
  });

  function start(script) {
    var base = new URL(script.src, document.baseURI).origin;
    var data = script.dataset;
    var key = data.key || "";
    var pageLang = (data.lang || document.documentElement.lang || "ar").toLowerCase();
    var lang = pageLang.indexOf("ar") === 0 ? "ar" : "en";
    var host = document.createElement("div");
    host.className = "rida-widget";
    var target = data.target ? document.querySelector(data.target) : null;
    if (target) target.appendChild(host); else script.parentNode.insertBefore(host, script.nextSibling);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = base + "/embed.css";
    root.appendChild(style);
    fetch(base + "/w/" + encodeURIComponent(key) + "/form?lang=" + lang, { mode: "cors", credentials: "omit", cache: "no-store" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("the widget's form was refused: " + answer.status);
        return answer.json();
      })
      .then(function (form) { draw(root, base, key, data, form); })
      .catch(function (error) {
        // The host page's console only: a visitor sees nothing rather than a broken form.
        if (window.console) console.warn("Rida widget:", error && error.message ? error.message : error);
      });
  }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (attribute) { node.setAttribute(attribute, attributes[attribute]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function draw(root, base, key, data, form) {
    counter += 1;
    var prefix = "rida" + counter + "-";
    var section = element("section", { "class": "rida", dir: form.dir, lang: form.lang, "aria-labelledby": prefix + "title" });
    section.appendChild(element("h2", { id: prefix + "title" }, form.title));
    section.appendChild(element("p", {}, form.intro));
    var formNode = element("form", { novalidate: "" });
    form.questions.forEach(function (question) {
      var fieldset = element("fieldset");
      fieldset.appendChild(element("legend", {}, question.text));
      var scale = element("div", { "class": "scale" });
      question.options.forEach(function (option) {
        var id = prefix + question.id + "-" + option.value;
        var label = element("label", { "for": id });
        label.appendChild(element("input", { type: "radio", id: id, name: question.id, value: String(option.value) }));
        label.appendChild(element("b", {}, String(option.value)));
        label.appendChild(document.createTextNode(option.label));
        scale.appendChild(label);
      });
      fieldset.appendChild(scale);
      formNode.appendChild(fieldset);
    });
    var comments = element("fieldset");
    comments.appendChild(element("legend", {}, form.commentLegend));
    comments.appendChild(element("label", { "for": prefix + "comment" }, form.commentLabel));
    comments.appendChild(element("textarea", { id: prefix + "comment", name: "comment", maxlength: "4000" }));
    formNode.appendChild(comments);
    var follow = element("fieldset");
    follow.appendChild(element("legend", {}, form.followLegend));
    var consentRow = element("div", { "class": "consent" });
    consentRow.appendChild(element("input", { type: "checkbox", id: prefix + "consent", name: "contact_consent", value: "true" }));
    consentRow.appendChild(element("label", { "for": prefix + "consent" }, form.consent));
    follow.appendChild(consentRow);
    follow.appendChild(element("p", { "class": "note" }, form.contactNote));
    follow.appendChild(element("label", { "for": prefix + "phone" }, form.phone));
    follow.appendChild(element("input", { type: "tel", id: prefix + "phone", name: "contact_phone", autocomplete: "tel", inputmode: "tel", maxlength: "64" }));
    follow.appendChild(element("label", { "for": prefix + "email" }, form.email));
    follow.appendChild(element("input", { type: "email", id: prefix + "email", name: "contact_email", autocomplete: "email", maxlength: "254" }));
    formNode.appendChild(follow);
    var button = element("button", { type: "submit" }, form.send);
    formNode.appendChild(button);
    var status = element("p", { "class": "status", role: "status", "aria-live": "polite" });
    formNode.appendChild(status);
    section.appendChild(formNode);
    root.appendChild(section);

    var answerID = null;
    formNode.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      var rated = 0;
      form.questions.forEach(function (question) {
        var chosen = formNode.querySelector("input[name='" + question.id + "']:checked");
        if (chosen) { body[question.id] = Number(chosen.value); rated += 1; }
      });
      if (rated === 0) { say(form.chooseOne, true); return; }
      var comment = formNode.querySelector("textarea").value.trim();
      if (comment) body.comment = comment;
      var phone = formNode.querySelector("input[name='contact_phone']").value.trim();
      var email = formNode.querySelector("input[name='contact_email']").value.trim();
      if (formNode.querySelector("input[name='contact_consent']").checked) body.contact_consent = true;
      if (phone) body.contact_phone = phone;
      if (email) body.contact_email = email;
      if (data.channel) body.channel = data.channel;
      if (data.service) body.service = data.service;
      if (data.stage) body.stage = data.stage;
      answerID = answerID || newID();
      body.id = answerID;
      button.disabled = true;
      say(form.sending, false);
      send(body, 0);
    });

    function say(text, isError) {
      status.textContent = text;
      status.className = isError ? "status error" : "status";
    }

    function send(body, attempt) {
      fetch(base + "/w/" + encodeURIComponent(key) + "/responses", {
        method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (answer) {
        if (answer.status === 201 || answer.status === 200) {
          formNode.hidden = true;
          var text = form.thanks + (body.contact_consent ? " " + form.followUp : "");
          section.appendChild(element("p", { "class": "status", role: "status" }, text));
          return;
        }
        if (answer.status >= 500 || answer.status === 429) { retry(body, attempt, form.failed); return; }
        // Refused: nothing stored; a new attempt gets a new id. A contact the visitor can correct is said so.
        answerID = null;
        button.disabled = false;
        answer.json().then(function (refusal) {
          var problems = (refusal && refusal.error && refusal.error.problems) || [];
          var contact = problems.some(function (p) { return p.field && p.field.indexOf("contact_") === 0; });
          say(contact ? form.contactProblem : form.failed, true);
        }, function () { say(form.failed, true); });
      }, function () { retry(body, attempt, form.offline); });
    }

    function retry(body, attempt, text) {
      if (attempt >= 5) { button.disabled = false; say(form.failed, true); return; }
      say(text, true);
      setTimeout(function () { send(body, attempt + 1); }, 2000 * Math.pow(2, attempt));
    }
  }
})();
