// Keeps the room screen current: asks for a new fragment every second
// (204 when nothing changed). Nothing on the page is interactive.
"use strict";

(function () {
  const root = document.getElementById("room");
  if (!root) {
    return;
  }
  const fragmentUrl = root.dataset.fragment;
  let version = root.dataset.version || "";

  async function poll() {
    try {
      const response = await fetch(fragmentUrl + "?since=" + encodeURIComponent(version), {
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.status === 200) {
        version = response.headers.get("X-View-Version") || version;
        root.innerHTML = await response.text();
        root.classList.remove("stale");
      } else if (response.status !== 204) {
        root.classList.add("stale");
      }
    } catch (error) {
      root.classList.add("stale");
    }
    window.setTimeout(poll, 1000);
  }

  window.setTimeout(poll, 1000);
})();
