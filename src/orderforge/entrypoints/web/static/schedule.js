// OrderForge schedule board: the stored plan as a Gantt chart (vis-timeline), pins by
// dragging, and plan runs followed live.
//
// Plain ES2020, no build. The page works without this file: the plan is a table and
// every action is a form that posts back (entrypoints/web/schedule_pages.py). This
// file draws the chart when vis-timeline was installed into /static/vendor/ (by
// scripts/fetch_assets.py), and sends the same forms with fetch so the page stays put.
// Times are shown in the plant's time zone (board.timezone), whatever the browser's.
"use strict";

(() => {
  const dataEl = document.getElementById("board-data");
  if (!dataEl || !window.fetch) return;
  const board = JSON.parse(dataEl.textContent);
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const statusBox = document.getElementById("board-status");
  const state = { view: board.view, colour: board.colour };
  const POLL_MS = 1000;
  const HOUR = 3600 * 1000;
  const DAY = 24 * HOUR;

  // -- small helpers -------------------------------------------------------------

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  };

  const esc = (text) =>
    String(text ?? "").replace(/[&<>"']/g, (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  let zone = board.timezone || "UTC";
  let stamp;
  try {
    stamp = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "2-digit", month: "short",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
  } catch (e) {
    zone = "UTC";
    stamp = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "2-digit", month: "short",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
  }
  const when = (value) => (value ? stamp.format(new Date(value)).replace(",", "") : "—");

  // Minutes the plant's zone is ahead of UTC at an instant (DST included), cached per
  // quarter hour: vis-timeline asks for every label and item it draws.
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  });
  const offsets = new Map();
  const offsetAt = (ms) => {
    const key = Math.floor(ms / (15 * 60000));
    if (!offsets.has(key)) {
      const at = key * 15 * 60000;
      const p = {};
      for (const part of parts.formatToParts(new Date(at))) p[part.type] = part.value;
      const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
      offsets.set(key, Math.round((local - at) / 60000));
    }
    return offsets.get(key);
  };

  const say = (message, kind = "info") => {
    if (!statusBox) return;
    statusBox.textContent = message;
    statusBox.className = `board-status flash flash-${kind}`;
    statusBox.setAttribute("role", kind === "error" ? "alert" : "status");
  };

  // POST a form's fields (or an object) the way the HTML form would, asking for JSON.
  const post = async (url, fields) => {
    const body = new URLSearchParams(fields);
    body.set("csrf", token);
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = { error: `The server answered ${response.status}; reload the page and try again.` };
    }
    return { ok: response.ok, data };
  };

  // -- plan runs: request, then follow until done -------------------------------

  const panel = document.getElementById("run-panel");
  const QUEUED_HINT_MS = 15000;
  let queuedSince = null;

  const showRun = (run) => {
    if (!panel) return;
    panel.hidden = false;
    panel.dataset.run = run.id;
    panel.dataset.status = run.status;
    panel.className = `card runpanel run-${run.status}`;
    panel.querySelector("h2").firstChild.textContent = `Plan run ${run.id} `;
    panel.querySelector("#run-status").textContent = run.status;
    // cancel only while it waits, retry only once it failed (the server refuses otherwise)
    for (const form of panel.querySelectorAll(".run-cancel")) form.hidden = run.status !== "queued";
    for (const form of panel.querySelectorAll(".run-retry")) form.hidden = run.status !== "failed";
    const progress = panel.querySelector("#run-progress");
    const issues = panel.querySelector("#run-issues");
    issues.replaceChildren();
    const p = run.progress || {};
    if (run.status === "queued") {
      if (queuedSince === null) queuedSince = Date.now();
      progress.textContent = Date.now() - queuedSince < QUEUED_HINT_MS
        ? "Waiting for the planner engine…"
        : "Still waiting for the planner engine: another plan may be running, or no " +
          "`orderforge worker` is running (PostgreSQL).";
    }
    else if (run.status === "running") {
      progress.textContent = p.seconds === undefined
        ? `Building the problem (time limit ${run.time_limit} s)…`
        : `Solving: ${p.seconds} s of ${run.time_limit} s, objective ${p.objective}, bound ${p.bound}…`;
    } else if (run.status === "done") {
      progress.textContent = `Done: plan version ${run.plan_version} stored. Loading it…`;
    } else {
      const error = run.error || {};
      progress.replaceChildren(el("b", {}, error.title || "The plan run failed."));
      for (const issue of error.issues || []) {
        issues.append(el("li", {}, el("b", {}, issue.where), `: ${issue.message}`));
      }
    }
  };

  const follow = (runId) => {
    const tick = async () => {
      let run;
      try {
        const response = await fetch(`/schedule/runs/${runId}.json`, {
          headers: { Accept: "application/json" }, credentials: "same-origin",
        });
        run = await response.json();
        if (!response.ok) throw new Error(run.error || response.statusText);
      } catch (e) {
        say(`Could not follow plan run ${runId}: ${e.message}`, "error");
        setTimeout(tick, POLL_MS * 3);
        return;
      }
      showRun(run);
      if (run.status === "done") {
        const keep = new URLSearchParams({ view: state.view, colour: state.colour });
        window.location.assign(`/schedule?${keep}`);
      } else if (run.status !== "failed" && run.status !== "cancelled") {
        setTimeout(tick, POLL_MS);
      } else {
        for (const button of document.querySelectorAll(".run-form button")) button.disabled = false;
      }
    };
    tick();
  };

  for (const form of document.querySelectorAll("form.run-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const buttons = form.querySelectorAll("button");
      for (const button of buttons) button.disabled = true;
      const { ok, data } = await post(form.action, new FormData(form));
      if (!ok) {
        for (const button of buttons) button.disabled = false;
        say(data.error || "The request was refused.", "error");
        const field = data.field && form.querySelector(`[name="${data.field}"]`);
        if (field) field.focus();
        return;
      }
      say(data.message, "success");
      showRun(data.run);
      follow(data.run.id);
    });
  }

  if (panel && ["queued", "running"].includes(panel.dataset.status)) follow(panel.dataset.run);

  // -- the pin form: eligible units for the chosen operation --------------------

  const pinForm = document.getElementById("pin-form");
  const pinOperation = document.getElementById("pin-operation");
  const pinResource = document.getElementById("pin-resource");
  const pinEligible = document.getElementById("pin-eligible");

  const markEligible = async () => {
    if (!pinOperation || !pinResource) return;
    const key = pinOperation.value.trim();
    for (const option of pinResource.options) option.disabled = false;
    pinEligible.textContent = "";
    if (!key) return;
    const response = await fetch(`/schedule/units.json?${new URLSearchParams({ operation: key })}`, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json();
    if (pinOperation.value.trim() !== key) return; // typed on meanwhile
    if (!response.ok) {
      pinEligible.textContent = data.error;
      return;
    }
    for (const option of pinResource.options) {
      option.disabled = option.value !== "" && !data.units.includes(option.value);
    }
    if (!data.units.includes(pinResource.value)) pinResource.value = data.units[0] ?? "";
    pinEligible.textContent = `Can run on ${data.units.join(", ")}.`;
  };
  if (pinOperation) pinOperation.addEventListener("change", markEligible);

  // -- pins list, kept current after a drag --------------------------------------

  const activePins = new Map(board.pins.map((p) => [p.operation, p]));

  const listPin = (pin) => {
    const table = document.querySelector("#pin-table tbody");
    if (!table) return;
    table.querySelector("tr.none")?.remove();
    for (const row of table.querySelectorAll("tr[data-operation]")) {
      if (row.dataset.operation === pin.operation) row.remove();
    }
    const remove = el("form", { method: "post", action: `/schedule/pins/${pin.id}/remove`, class: "inline" },
      el("input", { type: "hidden", name: "csrf", value: token }),
      el("input", { type: "hidden", name: "back", value: `/schedule?view=${state.view}&colour=${state.colour}` }),
      el("button", { type: "submit", class: "small", "aria-label": `Remove pin of ${pin.operation}` }, "Remove"));
    const note = pin.note ? [el("br"), el("small", { class: "muted" }, pin.note)] : [];
    table.append(el("tr", { dataset: { operation: pin.operation } },
      el("td", {}, el("a", { class: "opkey focus-op", href: `/schedule?focus=${encodeURIComponent(pin.operation)}`,
        dataset: { op: pin.operation } }, pin.operation), ...note),
      el("td", {}, pin.resource),
      el("td", { class: "nowrap" }, when(pin.not_before)),
      el("td", {}, pin.created_by),
      el("td", {}, remove)));
    const count = document.getElementById("pin-count");
    if (count) count.textContent = String(table.querySelectorAll("tr[data-operation]").length);
  };

  // -- the Gantt chart ---------------------------------------------------------------

  const container = document.getElementById("gantt");
  const fallback = document.getElementById("gantt-fallback");
  if (!container || board.version === null) return;
  if (!window.vis || !window.vis.Timeline) {
    if (fallback) {
      fallback.textContent = "The chart library is not installed (run scripts/fetch_assets.py); " +
        "the plan is shown as a table below.";
    }
    return;
  }

  const orders = new Map(board.orders.map((o) => [o.order, o]));
  const operations = new Map(board.operations.map((o) => [o.key, o]));
  const units = new Map();
  for (const centre of board.work_centres) for (const unit of centre.units) units.set(unit, centre);

  const tooltip = (op) => {
    const order = orders.get(op.order_number) || {};
    const pin = activePins.get(op.key);
    const lines = [
      `<b>${esc(op.order_number)}</b> line ${esc(op.line_no)} · ${esc(op.name)}`,
      `${esc(op.resource)} · ${esc(when(op.start))} – ${esc(when(op.end))}`,
      `Order ${esc(board.states[order.state] || order.state || "")}, due ${esc(when(order.due))}`,
    ];
    if (order.late) lines.push(`<span class="tip-late">Late: ${esc(order.late_reason)}</span>`);
    if (op.frozen) lines.push("Started: kept where it runs");
    const floor = op.floor || {};
    if (floor.behind_text) lines.push(`<span class="tip-late">Behind: ${esc(floor.behind_text)}</span>`);
    else if (floor.status === "done") lines.push("Done on the floor");
    if (floor.delay_minutes > 0 && floor.status !== "done") {
      lines.push(`Now expected to end ${esc(when(floor.projected_end))}`);
    }
    if (order.promise_at_risk && order.floor_reason) {
      lines.push(`<span class="tip-late">Promise at risk: ${esc(order.floor_reason)}</span>`);
    }
    if (pin) {
      const after = pin.not_before ? ` not before ${esc(when(pin.not_before))}` : "";
      lines.push(`⚑ Pinned to ${esc(pin.resource)}${after} by ${esc(pin.created_by)}`);
    } else if (op.pinned) {
      lines.push("⚑ Pinned when this plan was made");
    }
    lines.push(`<small>${esc(op.key)}</small>`);
    return lines.join("<br>");
  };

  const itemClass = (op) => {
    const order = orders.get(op.order_number) || {};
    const names = ["op", `state-${order.state}`, order.late ? "late" : "ontime"];
    if (op.frozen) names.push("frozen");
    const floor = op.floor || {};
    if (floor.behind) names.push("behind");
    else if (floor.delay_minutes > 0 && floor.status !== "done") names.push("pushed");
    if (floor.status === "done") names.push("done");
    if (op.pinned || activePins.has(op.key)) names.push("pinned");
    return names.join(" ");
  };

  const itemOf = (op) => {
    const pinned = op.pinned || activePins.has(op.key);
    const label = state.view === "centre" ? op.order_number : `${op.name} · ${op.resource}`;
    return {
      id: op.key,
      group: state.view === "centre" ? op.resource : op.order_number,
      start: new Date(op.start),
      end: new Date(op.end),
      content: el("span", { dataset: { op: op.key } }, pinned ? "⚑ " : "", op.frozen ? "▶ " : "",
        (op.floor || {}).behind ? "⏱ " : "", label),
      className: itemClass(op),
      title: tooltip(op),
      // Per item, or the library would offer to delete it too.
      editable: board.editable && !op.frozen
        ? { updateTime: true, updateGroup: state.view === "centre", remove: false }
        : false,
    };
  };

  const centreGroups = () => {
    const groups = [];
    let order = 0;
    for (const centre of board.work_centres) {
      if (centre.units.length === 1) {
        groups.push({ id: centre.units[0], content: el("span", { title: centre.name }, centre.code),
          order: order++, className: "unit" });
        continue;
      }
      groups.push({ id: `wc:${centre.code}`, content: el("span", { title: centre.name }, centre.code),
        nestedGroups: centre.units, showNested: true, order: order++, className: "centre", treeLevel: 1 });
      for (const unit of centre.units) {
        groups.push({ id: unit, content: unit, order: order++, className: "unit", treeLevel: 2 });
      }
    }
    return groups;
  };

  const orderGroups = () => [...board.orders]
    .sort((a, b) => a.planned_start.localeCompare(b.planned_start))
    .map((o, index) => ({
      id: o.order,
      order: index,
      className: o.late ? "late" : "",
      title: o.late ? `${o.order}: ${o.late_reason}` : `${o.order}: due ${when(o.due)}`,
      content: el("span", { class: "grouplabel" }, o.late ? "⚠ " : "", o.order, " ",
        el("span", { class: `badge state-${o.state}` }, board.states[o.state] || o.state || "")),
    }));

  const backgrounds = () => {
    const items = [];
    if (state.view === "centre") {
      for (const down of board.downtimes) {
        const centre = board.work_centres.find((w) => w.code === down.work_centre);
        const targets = down.resource ? [down.resource] : (centre ? centre.units : []);
        for (const unit of targets) {
          items.push({ id: `down:${down.id}:${unit}`, group: unit, type: "background", className: "downtime",
            start: new Date(down.start), end: new Date(down.end),
            content: el("span", { title: `${down.reason} (${down.recorded_by})` }, `Down: ${down.reason}`) });
        }
      }
    } else {
      for (const o of board.orders) {
        if (!o.due) continue;
        const due = new Date(o.due);
        items.push({ id: `due:${o.order}`, group: o.order, type: "background", className: "pastdue",
          start: due, end: new Date(due.getTime() + 365 * DAY), content: "" });
      }
    }
    return items;
  };

  const items = new vis.DataSet();
  const groups = new vis.DataSet();
  const now = new Date(board.now);
  const firstStart = Math.min(...board.operations.map((o) => Date.parse(o.start)), now.getTime());
  const lastEnd = Math.max(...board.operations.map((o) => Date.parse(o.end)), now.getTime() + DAY);

  // A pin from a drop: the unit of the row (work-centre view) and the new start.
  const onMove = async (item, callback) => {
    const op = operations.get(item.id);
    const resource = state.view === "centre" ? item.group : op.resource;
    if (!units.has(resource)) {
      say("Drop the operation on a unit's row.", "error");
      callback(null);
      return;
    }
    say(`Pinning ${op.key} to ${resource}…`);
    const { ok, data } = await post("/schedule/pins", {
      operation: op.key, resource, not_before: item.start.toISOString(), note: "Moved on the board",
    });
    if (!ok) {
      say(data.error || "The pin was refused.", "error");
      callback(null);
      return;
    }
    activePins.set(op.key, data.pin);
    listPin(data.pin);
    item.className = `${itemClass(op)} pinned moved`;
    item.title = tooltip(op);
    callback(item);
    say(`${data.message} Replan to apply it.`, "success");
  };

  const options = () => ({
    stack: state.view === "order",
    orientation: { axis: "top", item: "top" },
    zoomKey: "ctrlKey",
    zoomMin: 15 * 60000,
    zoomMax: 120 * DAY,
    min: new Date(firstStart - 7 * DAY),
    max: new Date(lastEnd + 14 * DAY),
    verticalScroll: true,
    maxHeight: "70vh",
    showCurrentTime: false,
    groupOrder: "order",
    margin: { item: { horizontal: 0, vertical: 3 } },
    tooltip: { followMouse: true, overflowMethod: "cap", delay: 150 },
    editable: board.editable
      ? { updateTime: true, updateGroup: state.view === "centre", add: false, remove: false, overrideItems: false }
      : false,
    onMove,
    moment: (date) => {
      const m = vis.moment(date);
      return m.utcOffset(offsetAt(m.valueOf()));
    },
  });

  const draw = () => {
    groups.clear();
    items.clear();
    groups.add(state.view === "centre" ? centreGroups() : orderGroups());
    items.add(board.operations.map(itemOf));
    items.add(backgrounds());
    container.dataset.view = state.view;
  };

  draw();
  container.classList.add("ready"); // visible before drawing: vis-timeline measures it
  // The library keeps the chart hidden until its first drawing is complete; moving the
  // window before then can leave it hidden, so what waits for it runs from this callback.
  let firstDrawn = false;
  let afterFirstDraw = null;
  const timeline = new vis.Timeline(container, items, groups, {
    ...options(),
    start: new Date(now.getTime() - 2 * HOUR),
    end: new Date(now.getTime() + 3 * DAY),
    onInitialDrawComplete: () => {
      firstDrawn = true;
      if (afterFirstDraw) afterFirstDraw();
    },
  });
  timeline.addCustomTime(now, "now");
  timeline.setCustomTimeMarker("now", "now", false);
  if (fallback) fallback.hidden = true;
  document.getElementById("gantt-hint")?.removeAttribute("hidden");
  document.querySelector(".zoom")?.removeAttribute("hidden");
  for (const button of document.querySelectorAll(".focus-order")) button.hidden = false;
  // The chart shows the plan now; the table stays one click away.
  document.getElementById("plan-table")?.removeAttribute("open");

  // -- toggles: rows and colours, in place (the links work without this) ---------

  const setAddress = () => {
    const query = new URLSearchParams(window.location.search);
    query.set("view", state.view);
    query.set("colour", state.colour);
    query.delete("run");
    window.history.replaceState(null, "", `${window.location.pathname}?${query}`);
    for (const input of document.querySelectorAll('input[name="back"]')) {
      input.value = `/schedule?view=${state.view}&colour=${state.colour}`;
    }
  };

  const press = (attribute, value) => {
    for (const link of document.querySelectorAll(`[data-${attribute}]`)) {
      if (link.tagName !== "A") continue;
      if (link.dataset[attribute] === value) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  };

  for (const link of document.querySelectorAll("a[data-view]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (state.view === link.dataset.view) return;
      state.view = link.dataset.view;
      const window_ = timeline.getWindow();
      timeline.setOptions(options());
      draw();
      timeline.setWindow(window_.start, window_.end, { animation: false });
      press("view", state.view);
      setAddress();
    });
  }

  for (const link of document.querySelectorAll("a[data-colour]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      state.colour = link.dataset.colour;
      const card = container.closest(".board") || container;
      card.classList.remove("colour-state", "colour-lateness");
      card.classList.add(`colour-${state.colour}`);
      container.dataset.colour = state.colour;
      press("colour", state.colour);
      setAddress();
    });
  }

  // -- zoom buttons, focus on an order, click to fill the pin form ---------------

  for (const button of document.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const centre = timeline.getWindow();
      const middle = (centre.start.getTime() + centre.end.getTime()) / 2;
      const zoom = button.dataset.zoom;
      if (zoom === "all") timeline.setWindow(new Date(firstStart - HOUR), new Date(lastEnd + HOUR));
      else if (zoom === "now") timeline.setWindow(new Date(now.getTime() - 2 * HOUR), new Date(now.getTime() + 3 * DAY));
      else {
        const span = zoom === "day" ? DAY : 7 * DAY;
        timeline.setWindow(new Date(middle - span / 2), new Date(middle + span / 2));
      }
    });
  }

  // Select operations and show them all, with a margin either side. The chart scrolls
  // to the row of the one that ends last (for a late order, the step that makes it
  // late): the timeline draws only the rows in view, so a row scrolled away would leave
  // the bar the planner asked for out of sight.
  const show = (keys) => {
    const ops = keys.map((key) => operations.get(key)).filter(Boolean);
    if (!ops.length) return;
    const start = Math.min(...ops.map((o) => Date.parse(o.start)));
    const end = Math.max(...ops.map((o) => Date.parse(o.end)));
    const margin = Math.max((end - start) / 4, 2 * HOUR);
    const last = ops.reduce((a, b) => (Date.parse(b.end) > Date.parse(a.end) ? b : a));
    timeline.setSelection(ops.map((o) => o.key));
    timeline.focus(last.key, { animation: false });
    timeline.setWindow(new Date(start - margin), new Date(end + margin), { animation: false });
  };
  // An order's remaining work (what ends after now): its finished steps may lie weeks
  // back and would shrink the bars that matter to slivers.
  const focusOrder = (number) => {
    const mine = board.operations.filter((o) => o.order_number === number);
    const ahead = mine.filter((o) => Date.parse(o.end) > now.getTime());
    show((ahead.length ? ahead : mine).map((o) => o.key));
  };
  for (const button of document.querySelectorAll(".focus-order")) {
    button.addEventListener("click", () => {
      focusOrder(button.dataset.order);
      container.scrollIntoView({ block: "nearest" });
    });
  }

  // Links to one operation (the pins list): show it in the chart instead of reloading.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.focus-op");
    if (!link || !operations.has(link.dataset.op)) return;
    event.preventDefault();
    show([link.dataset.op]);
    container.scrollIntoView({ block: "nearest" });
  });

  // ?focus=<operation key>: show that operation (links from elsewhere, tests).
  const wanted = new URLSearchParams(window.location.search).get("focus");
  // After the first drawing, which sets the window given at construction.
  if (wanted) {
    const go = () => show([wanted]);
    if (firstDrawn) go();
    else afterFirstDraw = go;
  }

  timeline.on("select", ({ items: selected }) => {
    const op = operations.get(selected[0]);
    if (!op) return;
    const order = orders.get(op.order_number) || {};
    say(`${op.order_number} · ${op.name} on ${op.resource}, ${when(op.start)} – ${when(op.end)}` +
      (order.late ? ` · late: ${order.late_reason}` : "") + (op.frozen ? " · started" : ""));
    if (pinForm && !op.frozen) {
      pinOperation.value = op.key;
      pinResource.value = op.resource;
      markEligible();
    }
  });

  window.orderforgeSchedule = { timeline, items, groups, state, focusOrder };
})();
