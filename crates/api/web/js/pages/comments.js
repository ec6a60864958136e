// Every comment in the organization, newest first, with the task it belongs to.

import { get, query } from "../api.js";
import { h, mount } from "../dom.js";
import { setQuery } from "../router.js";
import { commentView } from "./task.js";

const PAGE_SIZE = 20;

export async function commentsPage(main, _params, q) {
  // The API orders comments oldest first (a thread's natural order); the feed reads the
  // pages from the end so the newest comes first.
  const first = await get(`/comments/${query({ page_size: PAGE_SIZE })}`);
  const pages = Math.max(1, Math.ceil(first.count / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, parseInt(q.page || "1", 10) || 1));
  const apiPage = pages - page + 1;
  const data = apiPage === 1 ? first : await get(`/comments/${query({ page_size: PAGE_SIZE, page: apiPage })}`);
  const comments = [...data.results].reverse();
  const taskIds = [...new Set(comments.map((c) => c.task))];
  const tasks = new Map((await Promise.all(taskIds.map((id) => get(`/tasks/${id}/`).catch(() => null)))).filter(Boolean).map((t) => [t.id, t]));
  mount(main,
    h("h1", {}, "Comments"),
    comments.length ? h("div", { class: "panel", id: "comment-feed" }, comments.map((c) => {
      const task = tasks.get(c.task);
      return commentView(c, h("a", { href: `#/tasks/${c.task}` }, task ? `${task.task_key} · ${task.title}` : "open task"));
    })) : h("p", { class: "muted" }, "No comments yet."),
    h("div", { class: "pagination" },
      h("button", { type: "button", disabled: page <= 1, onclick: () => setQuery({ page: page - 1 }) }, "← Newer"),
      h("span", { class: "muted" }, `Page ${page} of ${pages} · ${first.count} comments`),
      h("button", { type: "button", disabled: page >= pages, onclick: () => setQuery({ page: page + 1 }) }, "Older →")));
}
