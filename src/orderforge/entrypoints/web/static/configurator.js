// OrderForge configurator: live choices, ranges, conflicts and price.
//
// Plain ES2020, no libraries, no build. The page works without this file (the form
// posts back and the server renders the same information); this only saves the round
// trip. How values that were not chosen are filled in before pricing is the server's
// one completion rule (services/configuration.py), asked through POST .../complete.
"use strict";

(() => {
  const form = document.getElementById("configurator");
  const schemaEl = document.getElementById("configurator-schema");
  if (!form || !schemaEl || !window.fetch || !window.Promise) return;

  const schema = JSON.parse(schemaEl.textContent);
  const family = form.dataset.family;
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const fields = Array.from(form.querySelectorAll("[data-kind]"));
  const quantity = form.querySelector('[name="quantity"]');
  const priceBox = document.getElementById("price-box");
  const promiseBox = document.getElementById("promise-box");
  const requested = form.querySelector('[name="requested_date"]');
  const confidence = form.querySelector('[name="confidence"]');
  const conflictsBox = document.getElementById("conflicts");
  const DEBOUNCE_MS = 250;
  let latest = 0;
  let timer = null;
  let unitPrice = null;

  // -- small helpers -------------------------------------------------------------

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  };

  const money = (value) => {
    const n = Number(value);
    return "€" + n.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };

  // Numbers as the server prints them: 800, 0.5 (no float noise such as 0.30000000000000004).
  const plain = (n) => String(Number(Number(n).toFixed(10)));

  const rangeText = (ranges, unit) => {
    if (!ranges.length) return "no value fits the other choices";
    return ranges
      .map((r) => {
        const low = plain(r.min), high = plain(r.max), step = plain(r.step);
        const u = unit ? " " + unit : "";
        return low === high ? `${low}${u}` : `${low}–${high}${u} in steps of ${step}`;
      })
      .join(" or ");
  };

  // -- talking to the API ----------------------------------------------------------

  async function post(what, spec) {
    const response = await fetch(`/api/v1/families/${encodeURIComponent(family)}/${what}`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": token,
      },
      body: JSON.stringify({ spec }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.detail || `the server answered ${response.status}`);
      error.status = response.status;
      error.field = (body.errors && body.errors[0] && body.errors[0].field) || "";
      throw error;
    }
    return body;
  }

  function currentPicks() {
    const picks = {};
    for (const field of fields) {
      const value = field.value.trim();
      if (value) picks[field.dataset.code] = value;
    }
    return picks;
  }

  // Domains for the picks; a value the engine cannot read is dropped and explained.
  async function domainsOf(picks) {
    const usable = { ...picks };
    const errors = {};
    for (let i = 0; i <= Object.keys(picks).length; i += 1) {
      try {
        return { domains: await post("domains", usable), usable, errors };
      } catch (error) {
        const name = error.field.replace(/^spec\./, "");
        if (error.status !== 422 || !(name in usable)) throw error;
        errors[name] = error.message;
        delete usable[name];
      }
    }
    throw new Error("the choices could not be read");
  }

  // -- showing the answers -----------------------------------------------------------

  function applyDomains(domains, own, errors) {
    for (const field of fields) {
      const code = field.dataset.code;
      const source = own[code] || domains;
      const consistent = source.consistent;
      if (field.dataset.kind === "option") {
        const possible = consistent ? source.options[code] || [] : null;
        for (const option of field.options) {
          if (!option.value) continue;
          const ok = possible === null || possible.includes(option.value);
          option.disabled = !ok && !option.selected;
          option.textContent = option.dataset.label + (ok ? "" : " (not possible)");
        }
      } else {
        const domain = consistent ? source.parameters[code] : null;
        const param = schema.parameters.find((p) => p.code === code);
        // Unknown while the other picks conflict: show the catalogue's own range.
        const ranges = domain ? domain.ranges : [param];
        if (ranges.length) {
          field.min = ranges[0].min;
          field.max = ranges[ranges.length - 1].max;
          field.step = ranges[0].step;
        }
        const text = document.getElementById(`range-${code}`);
        if (text) text.textContent = rangeText(ranges, param.unit);
      }
      const message = errors[code] || "";
      const holder = field.closest(".field");
      const errorEl = form.querySelector(`[data-error-for="${code}"]`);
      if (errorEl) {
        errorEl.textContent = message;
        errorEl.hidden = !message;
      }
      if (holder) holder.classList.toggle("invalid", Boolean(message));
      if (message) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
  }

  function showConflicts(messages) {
    if (!conflictsBox) return;
    const list = conflictsBox.querySelector("ul");
    list.replaceChildren(...messages.map((m) => el("li", {}, m)));
    conflictsBox.hidden = messages.length === 0;
  }

  function showNoPrice(text) {
    unitPrice = null;
    priceBox.replaceChildren(el("p", { class: "muted", id: "no-price" }, text));
    lastSpec = null;
    promiseTicket += 1;
    clearPromise("");
  }

  function labelOf(code, value) {
    const option = schema.options.find((o) => o.code === code);
    if (option) return [option.label, option.choices[value] || value];
    const parameter = schema.parameters.find((p) => p.code === code);
    if (parameter) return [parameter.label, `${value} ${parameter.unit}`.trim()];
    return [code, value];
  }

  function updateTotal() {
    const total = document.getElementById("price-total");
    if (!total) return;
    const q = quantity ? parseInt(quantity.value, 10) : 1;
    total.textContent =
      unitPrice !== null && q > 1 ? `${q} × ${money(unitPrice)} = ${money(unitPrice * q)}` : "";
  }

  function renderPrice(ev, changed) {
    if (!ev.valid) {
      const why = ev.missing.length
        ? `choose ${ev.missing.join(", ")}.`
        : ev.conflicts.map((c) => c.message).join(" ");
      showNoPrice(`No price yet: ${why}`);
      return;
    }
    if (!ev.costing) {
      showNoPrice(
        "This configuration is valid, but the plant has no hourly rate for one of its " +
          "work centres, so it cannot be priced."
      );
      return;
    }
    const k = ev.costing;
    unitPrice = Number(k.price);
    // Cost, margin, BOM and routing are absent for roles that may not see them.
    const split = el("dl", { class: "facts costsplit" });
    if (k.cost !== undefined) {
      for (const [label, value] of [
        ["Material", money(k.material_cost)],
        ["Labour", money(k.labour_cost)],
        ["Cost", money(k.cost)],
        ["Margin", `${Math.round(Number(k.margin) * 100)} % of the price`],
      ]) {
        split.append(el("dt", {}, label), el("dd", {}, value));
      }
    }
    const filled = Object.entries(changed).map(([code, value]) => labelOf(code, value).join(": "));
    const bom = el(
      "tbody",
      {},
      ...(ev.bom || []).map((b) =>
        el(
          "tr",
          {},
          el("td", {}, b.name + " ", el("span", { class: "muted" }, b.component)),
          el("td", { class: "nowrap" }, `${b.quantity} ${b.unit}`)
        )
      )
    );
    const routing = el(
      "ol",
      { class: "routing" },
      ...(ev.routing || []).map((r) =>
        el(
          "li",
          {},
          r.name + " ",
          el(
            "span",
            { class: "muted" },
            `${r.work_centres.join(" / ")} · ${r.setup_minutes} + ${r.run_minutes} min`
          )
        )
      )
    );
    const open = Array.from(priceBox.querySelectorAll("details")).map((d) => d.open);
    priceBox.replaceChildren(
      el(
        "p",
        { class: "price" },
        el("span", { class: "muted" }, "Unit price"),
        " ",
        el("strong", { id: "price" }, money(k.price))
      ),
      el("p", { class: "muted", id: "price-total" }),
      split,
      filled.length
        ? el(
            "p",
            { class: "muted filled" },
            `Not chosen, so set to what still fits: ${filled.join("; ")}.`
          )
        : null,
      ev.bom === undefined
        ? null
        : el(
        "details",
        { class: "cfg-details" },
        el("summary", {}, `Bill of materials (${ev.bom.length} items)`),
        el(
          "table",
          { class: "compact" },
          el("thead", {}, el("tr", {}, el("th", {}, "Component"), el("th", {}, "Quantity"))),
          bom
        )
      ),
      ev.routing === undefined
        ? null
        : el(
        "details",
        { class: "cfg-details" },
        el("summary", {}, `Routing (${ev.routing.length} operations)`),
        routing
      )
    );
    priceBox.querySelectorAll("details").forEach((d, i) => {
      d.open = Boolean(open[i]);
    });
    updateTotal();
  }

  // -- the delivery date beside the price ----------------------------------------------

  let lastSpec = null;
  let promiseTicket = 0;
  // "Wed 16 Dec 2026", as the server writes dates (no locale commas).
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const day = (iso) => {
    const [y, m, d] = iso.split("-").map(Number);
    const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
    return `${weekday} ${String(d).padStart(2, "0")} ${MONTHS[m - 1]} ${y}`;
  };

  function clearPromise(text) {
    if (!promiseBox) return;
    promiseBox.replaceChildren(text ? el("p", { class: "muted", id: "promise-summary" }, text) : "");
  }

  async function showPromise(spec) {
    if (!promiseBox) return;
    lastSpec = spec;
    const ticket = ++promiseTicket;
    // staff see how sure the date is; a customer's answer leaves it out anyway
    const body = { family, spec, quantity: Math.max(1, Number(quantity?.value) || 1), with_confidence: true };
    if (requested && requested.value) body.requested_date = requested.value;
    if (confidence && confidence.value) body.confidence = Number(confidence.value);
    promiseBox.setAttribute("aria-busy", "true");
    try {
      const response = await fetch("/api/v1/promise", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body),
      });
      const p = await response.json().catch(() => ({}));
      if (ticket !== promiseTicket) return;
      if (!response.ok) {
        clearPromise(`No delivery date: ${p.detail || "the check failed"}`);
        return;
      }
      const late = p.requested_met === false || !p.date;
      const parts = [];
      if (p.date) {
        parts.push(el("p", { class: "price" }, el("span", { class: "muted" }, "Earliest delivery"), " ",
          el("strong", { id: "promise-date" }, day(p.date))));
      }
      parts.push(el("p", { id: "promise-summary", class: late ? "late" : "muted" }, p.summary));
      if (p.confidence) parts.push(el("p", { id: "promise-confidence", class: "muted" }, p.confidence.summary));
      if (p.binding.length) {
        parts.push(el("details", {}, el("summary", {}, "What sets this date"),
          el("ul", { id: "promise-binding" }, ...p.binding.map((c) => el("li", {}, c.detail)))));
      }
      if (p.alternatives.length) {
        parts.push(el("details", {}, el("summary", {}, "Faster, at a price"),
          el("ul", { id: "promise-alternatives" }, ...p.alternatives.map((a) =>
            el("li", {}, `${day(a.date)}: ${a.detail}` + (a.extra_cost ? ` (about ${money(a.extra_cost)} more)` : ""))))));
      }
      promiseBox.replaceChildren(...parts);
    } catch (error) {
      if (ticket === promiseTicket) clearPromise(`No delivery date: ${error.message}`);
    } finally {
      if (ticket === promiseTicket) promiseBox.removeAttribute("aria-busy");
    }
  }

  // -- the mock-up: the same drawing the page shows without script ---------------------

  function showMockup(spec) {
    const image = document.getElementById("mockup");
    if (!image) return;
    const query = new URLSearchParams(spec);
    const quantity = document.getElementById("f-quantity");
    query.set("quantity", (quantity && quantity.value) || "1");
    image.src = `${image.dataset.base}?${query}`;
    image.closest("figure").hidden = false;
  }

  // -- the update cycle ----------------------------------------------------------------

  async function update() {
    const ticket = ++latest;
    form.setAttribute("aria-busy", "true");
    try {
      const picks = currentPicks();
      const { domains, usable, errors } = await domainsOf(picks);
      // A picked field's own alternatives: what the other picks still allow for it.
      const names = Object.keys(usable);
      const answers = await Promise.all(
        names.map((name) => {
          const others = { ...usable };
          delete others[name];
          return post("domains", others);
        })
      );
      if (ticket !== latest) return;
      const own = Object.fromEntries(names.map((name, i) => [name, answers[i]]));
      applyDomains(domains, own, errors);
      showConflicts(domains.conflicts.map((c) => c.message));
      if (!domains.consistent || Object.keys(errors).length) {
        showNoPrice("No price while the choices conflict or a value is not understood.");
        return;
      }
      const completion = await post("complete", usable);
      if (ticket !== latest) return;
      if (!completion.evaluation) {
        showNoPrice("No price while the choices conflict.");
        return;
      }
      renderPrice(completion.evaluation, completion.filled);
      showMockup(completion.spec);
      if (completion.evaluation.valid) showPromise(completion.evaluation.spec);
      else clearPromise("");
    } catch (error) {
      if (ticket !== latest) return;
      showNoPrice(`The live check failed (${error.message}); press “Check” instead.`);
    } finally {
      if (ticket === latest) form.removeAttribute("aria-busy");
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(update, delay);
  }

  for (const field of fields) {
    if (field.dataset.kind === "option") {
      field.addEventListener("change", () => schedule(0));
    } else {
      field.addEventListener("input", () => schedule(DEBOUNCE_MS));
      field.addEventListener("change", () => schedule(0));
    }
  }
  if (quantity) quantity.addEventListener("input", updateTotal);
  // A new quantity or requested date changes the date, not the choices.
  let promiseTimer = null;
  const repromise = () => {
    clearTimeout(promiseTimer);
    promiseTimer = setTimeout(() => (lastSpec ? showPromise(lastSpec) : update()), DEBOUNCE_MS);
  };
  if (quantity) quantity.addEventListener("input", repromise);
  if (requested) requested.addEventListener("change", repromise);
  if (confidence) confidence.addEventListener("change", repromise);

  // Read the server-rendered price so the total works before the first change.
  const shown = document.getElementById("price");
  if (shown) unitPrice = Number(shown.textContent.replace(/[^0-9.]/g, ""));
  updateTotal();
  form.dataset.live = "on";
})();
