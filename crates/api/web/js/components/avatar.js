// Profile pictures: served only to signed-in colleagues, so they are fetched with the
// bearer token and shown from blob: URLs (cached per picture version).

import { h } from "../dom.js";

const cache = new Map();

/** A small round picture of `user`, or their initial when they have none. */
export function avatar(user, size = 24) {
  const initial = (user.username || "?").slice(0, 1).toUpperCase();
  // The initial is drawn by CSS (data-initial), so it is not part of the text around it.
  const el = h("span", { class: "avatar", "aria-hidden": "true", "data-initial": initial, style: `width:${size}px;height:${size}px;font-size:${Math.round(size / 2)}px` });
  if (user.avatar_url) {
    load(user.avatar_url).then((url) => {
      if (url) {
        el.removeAttribute("data-initial");
        el.replaceChildren(h("img", { src: url, alt: "", width: size, height: size }));
      }
    });
  }
  return el;
}

function load(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(path, { headers: { Authorization: `Bearer ${sessionStorage.getItem("switchyard.access")}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => (b ? URL.createObjectURL(b) : null))
      .catch(() => null));
  }
  return cache.get(path);
}
