// The Kanban board (planning/board.html): drag a card by its handle to another column or
// place (SortableJS), ask for a reason when it goes to Blocked, post the move, and let the
// server's answer replace the affected columns (htmx out-of-band swaps), so every card keeps
// a fresh version. A refusal puts the card back and shows why. Every text comes from the
// page; inline scripts are blocked by the content security policy.
"use strict";

(function () {
  const AUTO_CLOSE_MS = 8000;

  function boardElement() {
    return document.getElementById("board");
  }

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) {
      // fall through to a form's token
    }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function nextCard(item) {
    let next = item.nextElementSibling;
    while (next && !next.classList.contains("keel-card")) next = next.nextElementSibling;
    return next;
  }

  // Where the card was when the drag began, to put it back after a refusal.
  const origins = new WeakMap();

  function putBack(item) {
    const origin = origins.get(item);
    if (!origin) return;
    const before = origin.next && origin.next.parentNode === origin.list ? origin.next : null;
    origin.list.insertBefore(item, before);
  }

  function note(text, level) {
    const box = document.getElementById("board-toasts");
    if (!box || !text) return;
    const alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " keel-toast";
    alert.setAttribute("role", level === "danger" || !level ? "alert" : "status");
    alert.setAttribute("data-testid", "board-note");
    alert.textContent = text;
    box.appendChild(alert);
    autoClose(box);
  }

  // Notes disappear by themselves after a while (or earlier by their close button).
  function autoClose(root) {
    const box = document.getElementById("board-toasts");
    if (!box || !(root === box || box.contains(root))) return;
    box.querySelectorAll(".keel-toast:not([data-closing])").forEach((toast) => {
      toast.setAttribute("data-closing", "");
      window.setTimeout(() => toast.remove(), AUTO_CLOSE_MS);
    });
  }

  // htmx carries an old element's `style` attribute over to its replacement while it
  // settles, by setAttribute, which the content security policy refuses; what SortableJS
  // left there after a drag is not needed.
  function dropStyles(board) {
    board.querySelectorAll(".keel-board-cards[style], .keel-card[style]").forEach((el) => {
      el.removeAttribute("style");
    });
  }

  async function send(item, values) {
    const board = boardElement();
    const body = new FormData();
    Object.entries(values).forEach(([key, value]) => body.append(key, value));
    body.append("swimlanes", board.dataset.swimlanes || "none");
    body.append("assignee", board.dataset.assignee || "");
    body.append("q", board.dataset.q || "");
    board.classList.add("keel-board-busy");
    board.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(item.dataset.moveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      });
      const html = await response.text();
      if (!response.ok) putBack(item);
      const retarget = response.headers.get("HX-Retarget");
      if (response.status >= 500 || !html) {
        note(document.body.dataset.keelErrorText);
      } else if (retarget) {
        // A refusal the server answers for every page (404, 403): an alert on top.
        htmx.swap(retarget, html, { swapStyle: response.headers.get("HX-Reswap") || "innerHTML" });
      } else {
        dropStyles(board);
        htmx.swap(board, html, { swapStyle: "none" });
      }
    } catch (error) {
      putBack(item);
      note(document.body.dataset.keelOfflineText);
    } finally {
      board.classList.remove("keel-board-busy");
      board.removeAttribute("aria-busy");
    }
  }

  // Resolves with the reason, or null when the person cancels.
  function askReason(item) {
    const dialog = document.getElementById("board-blocked");
    if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve("");
    const form = dialog.querySelector("form");
    const text = dialog.querySelector("textarea");
    const name = dialog.querySelector("[data-blocked-task]");
    if (name) name.textContent = item.dataset.name || "";
    text.value = "";
    dialog.returnValue = "";
    return new Promise((resolve) => {
      const cancel = dialog.querySelector("[data-blocked-cancel]");
      const onCancel = () => dialog.close("");
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener(
        "close",
        () => {
          cancel.removeEventListener("click", onCancel);
          const reason = text.value.trim();
          resolve(dialog.returnValue === "save" && reason ? reason : null);
        },
        { once: true },
      );
      form.reset();
      dialog.showModal();
      text.focus();
    });
  }

  function onEnd(event) {
    const item = event.item;
    const origin = origins.get(item);
    const to = event.to;
    if (origin && origin.list === to && origin.next === nextCard(item)) return; // not moved
    const next = nextCard(item);
    const values = {
      version: item.dataset.version,
      status: to.dataset.status,
      before_id: next ? next.dataset.task : "",
    };
    if (to.dataset.status === "blocked" && origin && origin.list.dataset.status !== "blocked") {
      askReason(item).then((reason) => {
        if (reason === null) {
          putBack(item);
          return;
        }
        values.blocked_reason = reason;
        send(item, values);
      });
      return;
    }
    send(item, values);
  }

  function lists(root) {
    const found = [];
    if (root.matches && root.matches(".keel-board-cards")) found.push(root);
    if (root.querySelectorAll) found.push(...root.querySelectorAll(".keel-board-cards"));
    return found;
  }

  function init(root) {
    autoClose(root);
    if (typeof Sortable === "undefined") return;
    lists(root).forEach((list) => {
      if (!list.closest("[data-board-drag]") || Sortable.get(list)) return;
      Sortable.create(list, {
        // Cards stay in their swimlane: a lane is a person or a summary task, not a status.
        group: "lane-" + list.dataset.lane,
        draggable: ".keel-card[data-can-edit]",
        handle: ".keel-card-handle",
        forceFallback: true, // one pointer-driven drag for mouse and touch alike
        fallbackOnBody: true,
        animation: 120,
        ghostClass: "keel-card-ghost",
        dragClass: "keel-card-drag",
        onStart: (event) => {
          origins.set(event.item, { list: event.from, next: nextCard(event.item) });
        },
        onEnd,
      });
    });
  }

  htmx.onLoad(init);

  // The same before a "Move to…" menu's answer (an htmx request) is swapped in.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const board = boardElement();
    if (board && board.contains(event.detail.elt)) dropStyles(board);
  });

  // After a move from a card's "Move to…" menu, keep the keyboard on that card.
  document.addEventListener("keel-board-moved", (event) => {
    const card = document.getElementById("card-" + event.detail.id);
    const summary = card && card.querySelector(".keel-card-menu > summary");
    if (summary) summary.focus();
  });
})();
