// The Gantt chart of a project (planning/gantt.html): the WBS tree beside SVG bars, links,
// milestones, the critical path, baselines, today and the status date; zoom by day, week,
// month and quarter; bars dragged to move a task or resized to change its duration.
//
// Keel's own renderer rather than frappe-gantt: measured at 2,000 tasks that library took
// about 2.5 s to draw (it draws every row and arrow), writes task names as HTML, sets style
// attributes the content security policy refuses, and has no per-task dragging rules,
// baselines, status date, quarter zoom or link types other than finish-to-start. Here only
// the rows in view and a margin are drawn, so a big plan opens as fast as a small one.
//
// Data: one GET of the chart's JSON. A drop: POST /tasks/{id}/reschedule with the version
// read, then the rows that changed are redrawn and what moved is listed.
"use strict";

(() => {
  const root = document.getElementById("keel-gantt");
  if (!root) return;
  performance.mark("keel-gantt:start");

  const DAY_MS = 86400000;
  const ROW = 28; // px, as --kg-row
  const HEAD = 44; // px, as --kg-head
  const BUFFER = 40; // rows drawn above and below the viewport
  const PX_PER_DAY = { day: 28, week: 9, month: 3, quarter: 1.2 };
  const MOVED_SHOWN = 12;
  const STORE = `keel.gantt.${root.dataset.project}`;
  const strings = JSON.parse(document.getElementById("keel-gantt-strings").textContent);

  const $ = (selector) => root.querySelector(selector);
  const viewport = $(".kg-viewport");
  const canvas = $(".kg-canvas");
  const headSvg = $(".kg-head-svg");
  const svg = $(".kg-svg");
  const sideRows = $(".kg-side-rows");
  const side = $(".kg-side");
  const corner = $(".kg-corner");
  const chart = $(".kg-chart");
  const tip = $(".kg-tip");
  const message = $(".kg-message");
  const movedBox = $(".kg-moved");
  const facts = $(".kg-facts");
  const layer = {
    grid: svg.querySelector(".kg-layer-grid"),
    links: svg.querySelector(".kg-layer-links"),
    bars: svg.querySelector(".kg-layer-bars"),
    lines: svg.querySelector(".kg-layer-lines"),
  };

  // ---------------------------------------------------------------- dates and words

  function pickLocale() {
    const lang = document.documentElement.lang || "en";
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([lang]).length ? lang : "en";
    } catch (_error) {
      return "en";
    }
  }
  const locale = pickLocale();
  const formats = {
    day: new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }),
    month: new Intl.DateTimeFormat(locale, { month: "short", timeZone: "UTC" }),
    monthYear: new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }),
    year: new Intl.DateTimeFormat(locale, { year: "numeric", timeZone: "UTC" }),
  };
  // Days are whole numbers: days since 1970-01-01 (a Thursday), in UTC, so no time zone or
  // daylight saving change can shift a bar.
  const toDay = (iso) => (iso ? Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS) : null);
  const isoOf = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const dateOf = (day) => new Date(day * DAY_MS);
  const showDay = (day) => (day === null || day === undefined ? "—" : formats.day.format(dateOf(day)));
  const isoWeekday = (day) => ((((day + 3) % 7) + 7) % 7) + 1; // 1 Monday ... 7 Sunday
  const monthStart = (y, m) => Date.UTC(y, m, 1) / DAY_MS;
  const say = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key] ?? ""));
  const escapeHtml = (text) =>
    String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // ---------------------------------------------------------------- state

  const state = {
    tasks: [], // every task, outline order
    byId: new Map(),
    rows: [], // the tasks shown (not under a collapsed summary), in order
    rowOf: new Map(), // task id -> row index
    links: [],
    collapsed: new Set(),
    moved: new Set(),
    zoom: "day",
    ppd: PX_PER_DAY.day,
    origin: 0, // the first day drawn
    last: 0,
    width: 0,
    sideWidth: 0,
    today: null,
    status: null,
    finish: null,
    start: null,
    calendar: { weekly: new Set([1, 2, 3, 4, 5]), holidays: new Set(), extra: new Set() },
    drawn: { first: 1, last: 0, x0: 0, x1: 0 },
    drag: null,
    saving: false,
  };

  function taskOf(row) {
    return {
      id: row.id,
      wbs: row.wbs,
      name: row.name,
      depth: row.depth,
      parent: row.parent,
      start: toDay(row.start),
      finish: toDay(row.finish),
      summary: row.is_summary,
      milestone: row.is_milestone,
      critical: row.is_critical,
      percent: row.percent,
      canEdit: row.can_edit,
      version: row.version,
      baseline: row.baseline
        ? { start: toDay(row.baseline.start), finish: toDay(row.baseline.finish) }
        : null,
    };
  }

  function setData(data) {
    state.tasks = data.tasks.map(taskOf);
    state.byId = new Map(state.tasks.map((t) => [t.id, t]));
    state.links = data.links.map((l) => ({ from: l.predecessor, to: l.successor, type: l.type }));
    state.origin = toDay(data.calendar.first);
    state.last = toDay(data.calendar.last);
    state.today = toDay(data.today);
    state.status = toDay(data.status_date);
    state.finish = toDay(data.finish);
    state.start = toDay(data.start);
    state.calendar = {
      weekly: new Set(data.calendar.working_weekdays),
      holidays: new Set(data.calendar.holidays.map(toDay)),
      extra: new Set(data.calendar.working_days.map(toDay)),
    };
    for (const id of state.collapsed) {
      if (!state.byId.has(id)) state.collapsed.delete(id);
    }
  }

  // true or false inside the span the server described; null outside it (the server decides).
  function isWorking(day) {
    if (day < state.origin || day > state.last) return null;
    const c = state.calendar;
    if (c.holidays.has(day)) return false;
    return c.extra.has(day) || c.weekly.has(isoWeekday(day));
  }

  const xOf = (day) => (day - state.origin) * state.ppd;

  // ---------------------------------------------------------------- layout

  function layout() {
    const rows = [];
    let hiddenBelow = null; // depth of a collapsed summary whose subtasks are being skipped
    for (const t of state.tasks) {
      if (hiddenBelow !== null) {
        if (t.depth > hiddenBelow) continue;
        hiddenBelow = null;
      }
      rows.push(t);
      if (t.summary && state.collapsed.has(t.id)) hiddenBelow = t.depth;
    }
    state.rows = rows;
    state.rowOf = new Map(rows.map((t, i) => [t.id, i]));
    state.sideWidth = corner.offsetWidth;
    state.width = Math.ceil((state.last - state.origin + 1) * state.ppd);
    const height = Math.max(rows.length * ROW, ROW);
    canvas.style.width = `${state.sideWidth + state.width}px`;
    side.style.height = `${height}px`;
    chart.style.width = `${state.width}px`;
    chart.style.height = `${height}px`;
    svg.setAttribute("width", state.width);
    svg.setAttribute("height", height);
    headSvg.setAttribute("width", state.width);
    headSvg.setAttribute("height", HEAD);
    draw(true);
  }

  function draw(force) {
    const viewWidth = Math.max(viewport.clientWidth - state.sideWidth, 100);
    const viewHeight = Math.max(viewport.clientHeight - HEAD, ROW);
    const top = viewport.scrollTop;
    const left = viewport.scrollLeft;
    const firstSeen = Math.floor(top / ROW);
    const lastSeen = Math.min(Math.ceil((top + viewHeight) / ROW), state.rows.length - 1);
    const right = Math.min(left + viewWidth, state.width);
    const d = state.drawn;
    // Scrolling within what is drawn needs nothing; past it, draw around the new view.
    if (!force && firstSeen >= d.first && lastSeen <= d.last && left >= d.x0 && right <= d.x1) {
      return;
    }
    const first = Math.max(0, firstSeen - BUFFER);
    const last = Math.min(state.rows.length - 1, lastSeen + BUFFER);
    const x0 = Math.max(0, left - viewWidth);
    const x1 = Math.min(state.width, left + 2 * viewWidth);
    state.drawn = { first, last, x0, x1 };
    drawScale(x0, x1, first, last);
    drawBars(first, last);
    drawLinks(first, last);
    drawLines(first, last);
    drawSide(first, last);
  }

  // ---------------------------------------------------------------- the time scale

  // Intervals [start, end) of the lower and upper header lines between days a and b.
  function intervals(kind, a, b) {
    const out = [];
    if (kind === "day") {
      for (let day = a; day <= b; day++) out.push([day, day + 1, String(dateOf(day).getUTCDate())]);
      return out;
    }
    if (kind === "week") {
      let day = a - ((isoWeekday(a) + 6) % 7);
      for (; day <= b; day += 7) out.push([day, day + 7, String(dateOf(day).getUTCDate())]);
      return out;
    }
    const first = dateOf(a);
    let y = first.getUTCFullYear();
    let m = first.getUTCMonth();
    const step = { month: 1, monthYear: 1, quarter: 3, year: 12 }[kind];
    if (kind === "quarter") m -= m % 3;
    if (kind === "year") m = 0;
    for (;;) {
      const start = monthStart(y, m);
      if (start > b) break;
      const end = monthStart(y, m + step);
      let label;
      if (kind === "month") label = formats.month.format(dateOf(start));
      else if (kind === "monthYear") label = formats.monthYear.format(dateOf(start));
      else if (kind === "quarter") label = say(strings.quarter, { quarter: Math.floor(m / 3) + 1 });
      else label = formats.year.format(dateOf(start));
      out.push([start, end, label]);
      m += step;
      if (m >= 12) {
        y += Math.floor(m / 12);
        m %= 12;
      }
    }
    return out;
  }

  const SCALES = {
    day: ["day", "monthYear"],
    week: ["week", "monthYear"],
    month: ["month", "year"],
    quarter: ["quarter", "year"],
  };

  function drawScale(x0, x1, first, last) {
    const a = state.origin + Math.floor(x0 / state.ppd);
    const b = Math.min(state.last, state.origin + Math.ceil(x1 / state.ppd));
    const [lowerKind, upperKind] = SCALES[state.zoom];
    const lower = intervals(lowerKind, a, b);
    const upper = intervals(upperKind, a, b);
    const head = [];
    const grid = [];
    const top = first * ROW;
    const bottom = (last + 1) * ROW;
    head.push(`<line class="kg-tick" x1="${x0}" x2="${x1}" y1="22.5" y2="22.5"/>`);
    for (const [start, end, label] of upper) {
      const x = xOf(start);
      head.push(`<line class="kg-tick" x1="${x}" x2="${x}" y1="0" y2="${HEAD}"/>`);
      const textX = Math.max(x, x0) + 4;
      if (xOf(end) - textX > label.length * 7 + 4) {
        head.push(`<text class="kg-upper" x="${textX}" y="15">${escapeHtml(label)}</text>`);
      }
      grid.push(`<line class="kg-grid-line kg-grid-major" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`);
    }
    const width = (lower.length ? lower[0][1] - lower[0][0] : 1) * state.ppd;
    for (const [start, , label] of lower) {
      const x = xOf(start);
      head.push(`<line class="kg-tick" x1="${x}" x2="${x}" y1="22" y2="${HEAD}"/>`);
      if (width >= 16) head.push(`<text x="${x + width / 2}" y="37" text-anchor="middle">${escapeHtml(label)}</text>`);
      if (state.zoom !== "quarter" && state.zoom !== "month") {
        grid.push(`<line class="kg-grid-line" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`);
      }
    }
    // Days off, where a day is wide enough to see.
    if (state.ppd >= 4) {
      for (let day = a; day <= b; day++) {
        if (isWorking(day) === false) {
          grid.push(`<rect class="kg-nonwork" x="${xOf(day)}" y="${top}" width="${state.ppd}" height="${bottom - top}"/>`);
        }
      }
    }
    let rowLines = "";
    for (let i = first; i <= last + 1; i++) rowLines += `M${x0},${i * ROW + 0.5}H${x1}`;
    if (rowLines) grid.push(`<path class="kg-row-line" d="${rowLines}"/>`);
    for (const [x, cls, text] of markers()) {
      head.push(`<path class="${cls}" d="M${x - 5},${HEAD - 7}h10l-5,7z"><title>${escapeHtml(text)}</title></path>`);
    }
    headSvg.innerHTML = head.join("");
    layer.grid.innerHTML = grid.join("");
  }

  // Today (the middle of the day) and the status date (the end of the day: progress is
  // reported up to and including it).
  function markers() {
    const out = [];
    if (state.today !== null) out.push([xOf(state.today) + state.ppd / 2, "kg-flag-today", strings.today]);
    if (state.status !== null) out.push([xOf(state.status + 1), "kg-flag-status", strings.status_date]);
    return out;
  }

  function drawLines(first, last) {
    const top = first * ROW;
    const bottom = (last + 1) * ROW;
    const parts = [];
    for (const [x, cls] of markers()) {
      const line = cls === "kg-flag-today" ? "kg-line-today" : "kg-line-status";
      parts.push(`<line class="${line}" data-testid="gantt-${line.slice(8)}" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`);
    }
    layer.lines.innerHTML = parts.join("");
  }

  // ---------------------------------------------------------------- bars

  const draggable = (t) => t.canEdit && !t.summary && t.start !== null && t.finish !== null;

  function tooltip(t) {
    const lines = [`${t.wbs} ${t.name}`, say(strings.dates, { start: showDay(t.start), finish: showDay(t.finish) })];
    if (!t.summary) lines.push(say(strings.progress, { percent: `${t.percent}%` }));
    if (t.baseline) {
      lines.push(say(strings.baseline_dates, { start: showDay(t.baseline.start), finish: showDay(t.baseline.finish) }));
    }
    if (t.critical) lines.push(strings.critical);
    return escapeHtml(lines.join("\n"));
  }

  function barHtml(t, i) {
    if (t.start === null || t.finish === null) return "";
    const y = i * ROW;
    const x = xOf(t.start);
    const w = Math.max((t.finish - t.start + 1) * state.ppd, 2);
    let cls = "kg-bar";
    if (t.critical) cls += " kg-critical";
    if (draggable(t)) cls += " kg-draggable";
    if (state.moved.has(t.id)) cls += " kg-moved";
    const out = [`<g class="${cls}" data-id="${t.id}" data-testid="gantt-bar-${t.id}"><title>${tooltip(t)}</title>`];
    if (t.baseline && t.baseline.start !== null && t.baseline.finish !== null) {
      const bx = xOf(t.baseline.start);
      const bw = Math.max((t.baseline.finish - t.baseline.start + 1) * state.ppd, 2);
      out.push(`<rect class="kg-baseline" x="${bx}" y="${y + 21}" width="${bw}" height="4"/>`);
    }
    let labelX;
    if (t.milestone) {
      const cx = xOf(t.finish + 1);
      out.push(`<path class="kg-milestone" d="M${cx},${y + 5}l7,7l-7,7l-7,-7z"/>`);
      labelX = cx + 10;
    } else if (t.summary) {
      out.push(`<path class="kg-summary-bar" d="M${x},${y + 8}h${w}v9l-5,-4h${-(w - 10)}l-5,4z"/>`);
      labelX = x + w + 6;
    } else {
      out.push(`<rect class="kg-task-bar" x="${x}" y="${y + 6}" width="${w}" height="14" rx="3"/>`);
      if (t.percent > 0) {
        const done = (w * Math.min(t.percent, 100)) / 100;
        out.push(`<rect class="kg-progress" x="${x}" y="${y + 6}" width="${done}" height="14" rx="3"/>`);
      }
      if (draggable(t)) out.push(`<rect class="kg-handle" x="${x + w - 5}" y="${y + 4}" width="9" height="18"/>`);
      labelX = x + w + 6;
    }
    out.push(`<text class="kg-label" x="${labelX}" y="${y + 17}">${escapeHtml(t.name)}</text></g>`);
    return out.join("");
  }

  function drawBars(first, last) {
    const parts = [];
    for (let i = first; i <= last; i++) parts.push(barHtml(state.rows[i], i));
    layer.bars.innerHTML = parts.join("");
  }

  // ---------------------------------------------------------------- links

  function anchor(t, end) {
    if (t.milestone) {
      const cx = xOf(t.finish + 1);
      return { x: end ? cx + 7 : cx - 7, cx, milestone: true };
    }
    return { x: end ? xOf(t.finish + 1) : xOf(t.start), cx: 0, milestone: false };
  }

  // Leave the predecessor from its start or end, arrive at the successor's start (heading
  // right) or end (heading left); into a milestone from above or below.
  function linkPath(p, s, type, rowP, rowS) {
    const a = anchor(p, type[0] === "F");
    const b = anchor(s, type[1] === "F");
    const sy = rowP * ROW + ROW / 2;
    const ty = rowS * ROW + ROW / 2;
    const out = type[0] === "F" ? 1 : -1;
    const into = type[1] === "S" ? 1 : -1;
    if (b.milestone && (out > 0 ? b.cx >= a.x : b.cx <= a.x)) {
      return `M${a.x},${sy}H${b.cx}V${ty + (ty > sy ? -8 : 8)}`;
    }
    const ax = a.x + 8 * out;
    const bx = b.x - 8 * into;
    if (out === into) {
      if (out > 0 ? bx >= ax : bx <= ax) return `M${a.x},${sy}H${ax}V${ty}H${b.x}`;
      const mid = rowS > rowP ? rowS * ROW : rowS * ROW + ROW;
      return `M${a.x},${sy}H${ax}V${mid}H${bx}V${ty}H${b.x}`;
    }
    const vx = out > 0 ? Math.max(ax, bx) : Math.min(ax, bx);
    return `M${a.x},${sy}H${vx}V${ty}H${b.x}`;
  }

  function drawLinks(first, last) {
    const parts = [];
    for (const link of state.links) {
      const rowP = state.rowOf.get(link.from);
      const rowS = state.rowOf.get(link.to);
      if (rowP === undefined || rowS === undefined) continue;
      if (Math.max(rowP, rowS) < first || Math.min(rowP, rowS) > last) continue;
      const p = state.byId.get(link.from);
      const s = state.byId.get(link.to);
      if (p.start === null || s.start === null || p.finish === null || s.finish === null) continue;
      const critical = p.critical && s.critical;
      const cls = critical ? "kg-link kg-link-critical" : "kg-link";
      const marker = critical ? "kg-arrow-critical" : "kg-arrow";
      const path = linkPath(p, s, link.type, rowP, rowS);
      parts.push(`<path class="${cls}" marker-end="url(#${marker})" d="${path}"/>`);
    }
    layer.links.innerHTML = parts.join("");
  }

  // ---------------------------------------------------------------- the WBS column

  function drawSide(first, last) {
    const taskUrl = root.dataset.taskUrl;
    const parts = [];
    for (let i = first; i <= last; i++) {
      const t = state.rows[i];
      let cls = "kg-row";
      if (t.summary) cls += " kg-row-summary";
      if (t.critical) cls += " kg-row-critical";
      if (state.moved.has(t.id)) cls += " kg-moved";
      const name = escapeHtml(t.name);
      let toggle = '<span class="kg-toggle-none"></span>';
      if (t.summary) {
        const open = !state.collapsed.has(t.id);
        const label = escapeHtml(say(open ? strings.collapse : strings.expand, { name: t.name }));
        toggle =
          `<button type="button" class="kg-toggle" data-toggle="${t.id}" aria-expanded="${open}"` +
          ` aria-label="${label}">${open ? "▾" : "▸"}</button>`;
      }
      const href = taskUrl.replace("{id}", t.id);
      parts.push(
        `<div class="${cls}" data-id="${t.id}" data-testid="gantt-row">` +
          `<span class="kg-wbs">${escapeHtml(t.wbs)}</span>` +
          `<span class="kg-name kg-indent-${Math.min(t.depth, 12)}">${toggle}` +
          `<a href="${href}" title="${name}">${name}</a></span></div>`,
      );
    }
    sideRows.innerHTML = parts.join("");
    sideRows.style.transform = `translateY(${first * ROW}px)`;
  }

  sideRows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-toggle]");
    if (!button) return;
    const id = Number(button.dataset.toggle);
    if (state.collapsed.has(id)) state.collapsed.delete(id);
    else state.collapsed.add(id);
    layout();
  });

  // ---------------------------------------------------------------- facts, messages, what moved

  function showFacts() {
    const items = [
      [strings.today, state.today, "gantt-today"],
      [strings.status_date, state.status, "gantt-status-date"],
      [strings.finish, state.finish, "gantt-finish"],
    ];
    facts.innerHTML = items
      .filter(([, day]) => day !== null)
      .map(([label, day, id]) => `<span data-testid="${id}">${escapeHtml(label)}: ${escapeHtml(showDay(day))}</span>`)
      .join("");
  }

  function showMessage(text, kind) {
    message.className = text ? `kg-message alert alert-${kind} m-2 mb-0` : "kg-message";
    message.textContent = text || "";
  }

  function showMoved(moved, finishBefore, finishAfter, held) {
    state.moved = new Set(moved.map((m) => m.id));
    const summary = [say(strings.moved_count, { count: moved.length })];
    if (finishBefore !== finishAfter) {
      summary.push(say(strings.finish_changed, { before: showDay(finishBefore), after: showDay(finishAfter) }));
    } else {
      summary.push(say(strings.finish_same, { date: showDay(finishAfter) }));
    }
    movedBox.querySelector(".kg-moved-summary").textContent = moved.length
      ? summary.join(" · ")
      : `${strings.nothing_moved} ${summary[1]}`;
    const items = moved.slice(0, MOVED_SHOWN).map((m) => {
      const li = document.createElement("li");
      li.dataset.id = m.id;
      li.textContent =
        `${m.wbs} ${m.name}: ${say(strings.dates, { start: showDay(m.startBefore), finish: showDay(m.finishBefore) })}` +
        ` → ${say(strings.dates, { start: showDay(m.start), finish: showDay(m.finish) })}`;
      return li;
    });
    if (moved.length > MOVED_SHOWN) {
      const li = document.createElement("li");
      li.textContent = say(strings.more, { count: moved.length - MOVED_SHOWN });
      items.push(li);
    }
    movedBox.querySelector(".kg-moved-list").replaceChildren(...items);
    movedBox.hidden = false;
    showMessage(held || "", "warning");
  }

  movedBox.querySelector(".btn-close").addEventListener("click", () => {
    movedBox.hidden = true;
    state.moved.clear();
    draw(true);
  });

  // ---------------------------------------------------------------- zoom, scroll, memory

  function remember() {
    try {
      localStorage.setItem(
        STORE,
        JSON.stringify({ zoom: state.zoom, day: state.origin + viewport.scrollLeft / state.ppd, top: viewport.scrollTop }),
      );
    } catch (_error) {
      // Private windows may refuse storage; the chart works without it.
    }
  }

  function recalled() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "null");
      return saved && PX_PER_DAY[saved.zoom] ? saved : null;
    } catch (_error) {
      return null;
    }
  }

  function pressZoomButton() {
    for (const button of root.querySelectorAll("[data-zoom]")) {
      button.setAttribute("aria-pressed", String(button.dataset.zoom === state.zoom));
    }
  }

  function setZoom(zoom) {
    const day = state.origin + viewport.scrollLeft / state.ppd;
    state.zoom = zoom;
    state.ppd = PX_PER_DAY[zoom];
    pressZoomButton();
    layout();
    viewport.scrollLeft = (day - state.origin) * state.ppd;
    draw(true);
    remember();
  }

  root.querySelector(".kg-toolbar").addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (button && PX_PER_DAY[button.dataset.zoom]) setZoom(button.dataset.zoom);
  });

  let scrollFrame = 0;
  let rememberTimer = 0;
  viewport.addEventListener("scroll", () => {
    if (!scrollFrame) {
      scrollFrame = requestAnimationFrame(() => {
        scrollFrame = 0;
        draw(false);
      });
    }
    clearTimeout(rememberTimer);
    rememberTimer = setTimeout(remember, 200);
  }, { passive: true });

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(layout, 150);
  });

  function firstPosition() {
    const saved = recalled();
    if (saved) {
      viewport.scrollTop = saved.top;
      viewport.scrollLeft = (saved.day - state.origin) * state.ppd;
      return;
    }
    const now = state.today;
    const inPlan = now !== null && state.start !== null && now >= state.start && (state.finish === null || now <= state.finish);
    const day = inPlan ? now - 7 : (state.start ?? state.origin) - 3;
    viewport.scrollLeft = Math.max(0, (day - state.origin) * state.ppd);
  }

  // ---------------------------------------------------------------- dragging

  function showTip(text, bad, x, y) {
    tip.textContent = text;
    tip.classList.toggle("kg-tip-bad", bad);
    tip.style.left = `${Math.max(0, x)}px`;
    tip.style.top = `${Math.max(0, y - 26)}px`;
    tip.hidden = false;
  }

  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || state.saving) return;
    const group = event.target.closest(".kg-draggable");
    if (!group) return;
    const task = state.byId.get(Number(group.dataset.id));
    if (!task || !draggable(task)) return;
    const resize = event.target.classList.contains("kg-handle") && !task.milestone;
    state.drag = { task, group, resize, x0: event.clientX, days: 0, pointer: event.pointerId };
    svg.setPointerCapture(event.pointerId);
    group.classList.add("kg-dragging");
    event.preventDefault();
  });

  svg.addEventListener("pointermove", (event) => {
    const drag = state.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    const days = Math.round((event.clientX - drag.x0) / state.ppd);
    if (days === drag.days) return;
    drag.days = days;
    const t = drag.task;
    const row = state.rowOf.get(t.id) ?? 0;
    if (drag.resize) {
      const finish = Math.max(t.finish + days, t.start);
      const w = (finish - t.start + 1) * state.ppd;
      const bar = drag.group.querySelector(".kg-task-bar");
      if (bar) bar.setAttribute("width", w);
      const working = isWorking(finish);
      const length = countWorking(t.start, finish);
      showTip(say(strings.resize_tip, { date: showDay(finish), days: length }), working === false, xOf(t.start) + w, row * ROW);
    } else {
      drag.group.setAttribute("transform", `translate(${days * state.ppd},0)`);
      const start = t.start + days;
      showTip(say(strings.move_tip, { date: showDay(start) }), isWorking(start) === false, xOf(start), row * ROW);
    }
  });

  // Working days from `a` to `b`, both included, for the tip (the server counts for real).
  function countWorking(a, b) {
    let n = 0;
    for (let day = a; day <= b; day++) if (isWorking(day) !== false) n++;
    return n;
  }

  function endDrag() {
    const drag = state.drag;
    state.drag = null;
    tip.hidden = true;
    if (drag) {
      drag.group.classList.remove("kg-dragging");
      if (svg.hasPointerCapture(drag.pointer)) svg.releasePointerCapture(drag.pointer);
    }
    return drag;
  }

  function refuse(text) {
    showMessage(text, "danger");
    draw(true);
  }

  svg.addEventListener("pointerup", (event) => {
    if (!state.drag || event.pointerId !== state.drag.pointer) return;
    const drag = endDrag();
    if (drag.days === 0) {
      draw(true);
      return;
    }
    const t = drag.task;
    const day = (drag.resize ? t.finish : t.start) + drag.days;
    if (drag.resize && day < t.start) return refuse(strings.finish_before_start);
    if (isWorking(day) === false) return refuse(say(strings.non_working, { date: showDay(day) }));
    save(t, drag.resize ? { finish: isoOf(day) } : { start: isoOf(day) }, drag.resize ? null : day);
  });

  // Cancelled by the browser, or the capture lost (the window lost focus): put the bar back.
  for (const type of ["pointercancel", "lostpointercapture"]) {
    svg.addEventListener(type, () => {
      if (endDrag()) draw(true);
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && endDrag()) draw(true);
  });

  svg.addEventListener("dblclick", (event) => {
    const group = event.target.closest(".kg-bar");
    if (group) window.location.href = root.dataset.taskUrl.replace("{id}", group.dataset.id);
  });

  // ---------------------------------------------------------------- saving

  function applyRows(rows) {
    for (const row of rows) {
      const t = state.byId.get(row.id);
      if (t) Object.assign(t, taskOf(row));
    }
  }

  function movedFromServer(list) {
    return list.map((m) => ({
      id: m.id,
      wbs: m.wbs,
      name: m.name,
      startBefore: toDay(m.start_before),
      finishBefore: toDay(m.finish_before),
      start: toDay(m.start),
      finish: toDay(m.finish),
    }));
  }

  // For a plan recalculated in the background: what moved since `before`, seen here.
  function movedSince(before) {
    const out = [];
    for (const t of state.tasks) {
      const old = before.get(t.id);
      if (old && (old[0] !== t.start || old[1] !== t.finish)) {
        out.push({
          id: t.id,
          wbs: t.wbs,
          name: t.name,
          startBefore: old[0],
          finishBefore: old[1],
          start: t.start,
          finish: t.finish,
        });
      }
    }
    return out;
  }

  async function fetchData() {
    // Plain, to match the page's <link rel="preload">: the request is already under way.
    const response = await fetch(root.dataset.dataUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`chart data: ${response.status}`);
    return response.json();
  }

  async function reload() {
    setData(await fetchData());
    layout();
    showFacts();
  }

  async function settle(before, finishBefore, held) {
    showMessage(strings.recalculating, "info");
    for (let attempt = 0; attempt < 120; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const data = await fetchData();
      if (data.schedule_state === "current") {
        setData(data);
        layout();
        showFacts();
        showMoved(movedSince(before), finishBefore, state.finish, held);
        draw(true);
        return;
      }
    }
    showMessage(strings.error, "danger");
  }

  async function save(task, body, requestedStart) {
    state.saving = true;
    root.classList.add("kg-busy");
    showMessage(strings.saving, "info");
    const before = new Map(state.tasks.map((t) => [t.id, [t.start, t.finish]]));
    const finishBefore = state.finish;
    const url = root.dataset.rescheduleUrl.replace("{id}", task.id);
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": root.dataset.csrf,
        },
        body: JSON.stringify({ version: task.version, ...body }),
      });
      let payload = null;
      try {
        payload = await response.json();
      } catch (_error) {
        payload = null;
      }
      if (response.ok && payload) {
        applyRows(payload.tasks);
        state.finish = toDay(payload.finish);
        showFacts();
        const held =
          requestedStart !== null && task.start !== null && task.start > requestedStart
            ? say(strings.held, { name: task.name, date: showDay(task.start) })
            : "";
        if (payload.schedule_state && payload.schedule_state !== "current") {
          draw(true);
          await settle(before, finishBefore, held);
        } else {
          showMoved(movedFromServer(payload.moved), toDay(payload.finish_before), state.finish, held);
          draw(true);
        }
      } else if (response.status === 409) {
        showMessage((payload && payload.message) || strings.error, "warning");
        await reload();
      } else {
        const fields = (payload && payload.fields) || {};
        const first = (fields.start || fields.finish || fields.non_field || fields.version || [])[0];
        refuse(first || (payload && payload.message) || strings.error);
      }
    } catch (_error) {
      refuse(strings.offline);
    } finally {
      state.saving = false;
      root.classList.remove("kg-busy");
    }
  }

  // ---------------------------------------------------------------- start

  async function start() {
    const saved = recalled();
    state.zoom = saved ? saved.zoom : "day";
    state.ppd = PX_PER_DAY[state.zoom];
    pressZoomButton();
    let data;
    try {
      data = await fetchData();
    } catch (_error) {
      root.dataset.state = "error";
      showMessage(strings.error, "danger");
      return;
    }
    performance.mark("keel-gantt:data");
    setData(data);
    showFacts();
    layout();
    firstPosition();
    draw(true);
    if (!state.tasks.length) showMessage(strings.empty, "info");
    // Marked once the frame with the chart has been painted.
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark("keel-gantt:rendered");
        performance.measure("keel-gantt:draw", "keel-gantt:data", "keel-gantt:rendered");
        root.dataset.state = "ready";
      }, 0),
    );
  }

  start();
})();
