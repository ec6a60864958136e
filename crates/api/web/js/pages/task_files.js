// A task's attachments: upload with a progress bar per file, download (fetched with the
// bearer token, saved from a blob: URL), delete for the uploader or an admin.

import { ApiError, del, get } from "../api.js";
import { panel } from "../components/page.js";
import { attempt, confirmDialog, showError } from "../components/ui.js";
import { fmtDate, fmtRelative, h } from "../dom.js";
import { rerender } from "../router.js";

/** "48 kB", "3.2 MB". */
export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  const mb = n / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

function token() {
  return sessionStorage.getItem("switchyard.access");
}

/** Sends one file with XMLHttpRequest (fetch reports no upload progress). */
function send(task, file, bar) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/tasks/${task.id}/attachments/`);
    xhr.setRequestHeader("Authorization", `Bearer ${token()}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status === 201) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

async function upload(task, files, progressList) {
  // Refreshes the access token if it expired (XHR does not), and gives the limits.
  const storage = await get("/attachments/usage/");
  let done = 0;
  for (const file of files) {
    if (file.size > storage.max_file_bytes) {
      showError(new Error(`${file.name} is larger than ${fmtBytes(storage.max_file_bytes)}.`), "Could not upload");
      continue;
    }
    const bar = h("progress", { max: 1, value: 0, "aria-label": `Uploading ${file.name}` });
    const row = h("li", { "data-uploading": file.name }, file.name, " ", bar);
    progressList.append(row);
    try {
      await send(task, file, bar);
      done++;
    } catch (e) {
      showError(e, `Could not upload ${file.name}`);
    } finally {
      row.remove();
    }
  }
  if (done) rerender(done === 1 ? "File attached." : `${done} files attached.`);
}

/** Saves an attachment under its name. */
async function download(a) {
  await get(`/tasks/${a.task}/attachments/${a.id}/`);
  const resp = await fetch(a.download_url, { headers: { Authorization: `Bearer ${token()}` } });
  if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
  const url = URL.createObjectURL(await resp.blob());
  const link = h("a", { href: url, download: a.file_name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function attachmentsPanel(task, list) {
  const items = list.results;
  const progressList = h("ul", { class: "links", id: "upload-progress" });
  const input = h("input", { type: "file", multiple: true, id: "attachment-file", "aria-label": "Attach files" });
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    if (files.length) attempt(() => upload(task, files, progressList), "Could not upload");
  });
  const remove = (a) => h("button", { type: "button", class: "small danger", "data-action": "delete-attachment", onclick: async () => {
    if (!(await confirmDialog({ title: `Delete ${a.file_name}?`, message: "The file is removed from storage.", confirmLabel: "Delete", danger: true }))) return;
    if (await attempt(() => del(`/tasks/${task.id}/attachments/${a.id}/`).then(() => true), "Could not delete the file")) rerender(`${a.file_name} deleted.`);
  } }, "Delete");
  return panel(`Attachments (${list.count})`, { id: "task-attachments" },
    items.length
      ? h("ul", { class: "links", id: "attachment-list" }, items.map((a) => h("li", { "data-attachment": a.file_name },
        h("button", { type: "button", class: "link", "data-action": "download-attachment", onclick: () => attempt(() => download(a), "Could not download") }, a.file_name),
        h("span", { class: "muted" }, ` ${fmtBytes(a.size)} · ${a.content_type} · ${a.uploaded_by_name} · `),
        h("span", { class: "muted", title: fmtDate(a.created_at) }, fmtRelative(a.created_at)),
        a.can.delete ? [" ", remove(a)] : null)))
      : h("p", { class: "muted" }, "No files."),
    progressList,
    task.can.comment ? h("label", { class: "file-pick" }, "Attach files ", input) : null);
}
