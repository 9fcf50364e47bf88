// Keeps a team's page current: asks the server for a new fragment every few
// seconds (204 when nothing changed) and marks injects this browser has not
// read yet. Read marks live in this browser only; the session never learns them.
"use strict";

(function () {
  const root = document.getElementById("view");
  if (!root) {
    return;
  }
  const fragmentUrl = root.dataset.fragment;
  const every = Math.max(250, Number(root.dataset.refresh || "2") * 1000);
  const status = document.getElementById("status");
  const markRead = document.getElementById("mark-read");
  const storageKey = "tabletop-read:" + location.pathname;
  const baseTitle = document.title;
  let version = root.dataset.version || "";
  let news = "";
  let read = new Set();

  try {
    read = new Set(JSON.parse(localStorage.getItem(storageKey) || "[]"));
  } catch (error) {
    read = new Set();
  }

  function save() {
    try {
      localStorage.setItem(storageKey, JSON.stringify(Array.from(read)));
    } catch (error) {
      // Private windows may refuse storage; marks then last for this page only.
    }
  }

  function titles(ids) {
    return ids.map(function (id) {
      const heading = root.querySelector("article.inject[data-delivery='" + id + "'] h3");
      return heading ? heading.textContent.replace(/^\s*New\s*/, "").trim() : "";
    });
  }

  function deliveries() {
    return Array.from(root.querySelectorAll("article.inject")).map(function (article) {
      return article.dataset.delivery;
    });
  }

  function mark() {
    let unread = 0;
    for (const article of root.querySelectorAll("article.inject")) {
      const isUnread = !read.has(article.dataset.delivery);
      article.classList.toggle("unread", isUnread);
      if (isUnread) {
        unread += 1;
      }
    }
    document.title = (unread ? "(" + unread + ") " : "") + baseTitle;
    if (markRead) {
      markRead.disabled = unread === 0;
    }
  }

  root.addEventListener("click", function (event) {
    const article = event.target.closest("article.inject");
    if (article) {
      read.add(article.dataset.delivery);
      save();
      mark();
    }
  });

  if (markRead) {
    markRead.addEventListener("click", function () {
      for (const article of root.querySelectorAll("article.inject")) {
        read.add(article.dataset.delivery);
      }
      save();
      mark();
    });
  }

  async function poll() {
    try {
      const response = await fetch(fragmentUrl + "?since=" + encodeURIComponent(version), {
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.status === 403) {
        root.textContent = "";
        status.textContent = "This link is no longer valid; ask the facilitator for a new one.";
        return;
      }
      if (response.status === 200) {
        const before = new Set(deliveries());
        const html = await response.text();
        version = response.headers.get("X-View-Version") || version;
        root.innerHTML = html;
        mark();
        const arrived = deliveries().filter(function (id) {
          return !before.has(id);
        });
        if (arrived.length) {
          news = "New: " + titles(arrived).join("; ") + ". ";  // kept until the next arrival
        }
      }
      status.textContent = response.ok
        ? news + "Up to date at " + new Date().toLocaleTimeString() + "."
        : "The server is busy; retrying.";
    } catch (error) {
      status.textContent = "Connection lost; retrying.";
    }
    window.setTimeout(poll, every);
  }

  mark();
  window.setTimeout(poll, every);
})();
