// The application shell: hash routing, the sidebar, session start and end.

import { hasSession, logout, resumeSession, setSessionLostHandler } from "./api.js";
import { h, mount } from "./dom.js";
import { loadSession, may, resetSession, session } from "./session.js";
import { setRenderer, setTitle, takeKeepScroll } from "./router.js";
import { installShortcuts } from "./shortcuts.js";
import { showError } from "./components/ui.js";
import { loginPage } from "./pages/login.js";
import { dashboardPage } from "./pages/dashboard.js";
import { tasksPage } from "./pages/tasks.js";
import { taskPage, taskByKeyPage } from "./pages/task.js";
import { usersPage } from "./pages/users.js";
import { teamsPage } from "./pages/teams.js";
import { organizationPage } from "./pages/organization.js";
import { workflowsPage, workflowPage } from "./pages/workflows.js";
import { transitionsPage } from "./pages/transitions.js";
import { aiPage } from "./pages/ai.js";
import { auditPage } from "./pages/audit.js";
import { commentsPage } from "./pages/comments.js";
import { profilePage, switchTo } from "./pages/profile.js";
import { invitationsPage } from "./pages/invitations.js";
import { departmentsPage } from "./pages/departments.js";
import { projectsPage, projectPage } from "./pages/projects.js";
import { boardPage } from "./pages/board.js";
import { notificationsPage, refreshBell } from "./pages/notifications.js";
import { acceptInvitationPage } from "./pages/invitation_accept.js";
import { forgotPasswordPage, resetPasswordPage } from "./pages/password_reset.js";

/** [pattern, nav section, page]; a page is `async (main, params, query) => void`. */
const ROUTES = [
  [/^\/$/, "dashboard", dashboardPage],
  [/^\/tasks$/, "tasks", tasksPage],
  [/^\/tasks\/key\/([^/]+)$/, "tasks", taskByKeyPage],
  [/^\/tasks\/([^/]+)$/, "tasks", taskPage],
  [/^\/board$/, "board", boardPage],
  [/^\/notifications$/, "notifications", notificationsPage],
  [/^\/projects$/, "projects", projectsPage],
  [/^\/projects\/([^/]+)$/, "projects", projectPage],
  [/^\/users$/, "users", usersPage],
  [/^\/teams$/, "teams", teamsPage],
  [/^\/organization$/, "organization", organizationPage],
  [/^\/workflows$/, "workflows", workflowsPage],
  [/^\/workflows\/([^/]+)$/, "workflows", workflowPage],
  [/^\/transitions$/, "transitions", transitionsPage],
  [/^\/ai$/, "ai", aiPage],
  [/^\/audit$/, "audit", auditPage],
  [/^\/comments$/, "comments", commentsPage],
  [/^\/profile$/, "profile", profilePage],
  [/^\/invitations$/, "invitations", invitationsPage],
  [/^\/departments$/, "departments", departmentsPage],
];

/** What each section's pages are called in the browser tab (a task's page names the task). */
const TITLES = {
  dashboard: "Dashboard", tasks: "Tasks", board: "Board", notifications: "Notifications", projects: "Projects", users: "Users", teams: "Teams",
  organization: "Organization", workflows: "Workflows", transitions: "Transition rules",
  ai: "AI assistant", audit: "Audit log", comments: "Comments", profile: "Profile",
  invitations: "Invitations", departments: "Departments",
};

/** Pages at their own paths, for links in emails; they work signed in or not. */
const PUBLIC_PATHS = {
  "/accept-invitation": acceptInvitationPage,
  "/reset-password": resetPasswordPage,
};

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(qs || "")) };
}

function setShell(signedIn) {
  document.body.classList.toggle("anonymous", !signedIn);
  document.getElementById("sidebar").hidden = !signedIn;
  document.getElementById("logout").hidden = !signedIn;
  document.getElementById("bell").hidden = !signedIn;
  document.getElementById("menu-toggle").hidden = !signedIn;
  document.getElementById("whoami").textContent = signedIn ? [session.me.username, session.me.role].filter(Boolean).join(" · ") : "";
  document.getElementById("org-name").textContent = signedIn && session.org ? session.org.name : "";
  for (const a of document.querySelectorAll("#sidebar a[data-requires]")) {
    a.hidden = !(signedIn && may(a.dataset.requires));
  }
  const switcher = document.getElementById("org-switch");
  const others = signedIn ? (session.memberships || []).filter((m) => m.is_active) : [];
  switcher.hidden = others.length < 2;
  switcher.replaceChildren(...others.map((m) => h("option", { value: m.organization, selected: m.current }, m.name)));
}

let renderCount = 0;

/** Renders the page for the current hash. Pages call it again after a change. */
async function render() {
  const ticket = ++renderCount;
  const keepScroll = takeKeepScroll();
  const main = document.getElementById("main");
  document.body.classList.remove("menu-open");
  showBackdrop(false);
  const { path, query } = parseHash();
  const publicPage = PUBLIC_PATHS[location.pathname];
  if (publicPage) {
    setShell(false);
    setTitle(location.pathname === "/reset-password" ? "Choose a new password" : "Your invitation");
    await publicPage(main);
    return;
  }
  if (!hasSession() && !(await resumeSession())) {
    resetSession();
    setShell(false);
    if (path === "/forgot-password") {
      setTitle("Reset your password");
      await forgotPasswordPage(main);
    } else {
      setTitle("Sign in");
      await loginPage(main, query);
    }
    return;
  }
  if (path === "/login") {
    location.hash = "#/";
    return;
  }
  try {
    if (!session.me) await loadSession();
  } catch (e) {
    if (!hasSession()) return render();
    await showError(e);
    return;
  }
  setShell(true);
  refreshBell();
  if (session.noOrganization && path !== "/profile") {
    setTitle("No organization yet");
    mount(main, h("div", { class: "panel", id: "no-organization" }, h("h1", {}, "You are not in an organization yet"),
      h("p", {}, "Create one — you become its admin, with a default workflow to start from — or ask an admin to invite you."),
      h("p", {}, h("a", { href: "#/profile", class: "button primary" }, "Create an organization"))));
    return;
  }
  if (session.blocked && path !== "/profile") {
    setTitle("Two-factor sign-in required");
    mount(main, h("div", { class: "panel", id: "blocked" }, h("h1", {}, "Two-factor sign-in required"),
      h("p", {}, session.blocked), h("p", {}, h("a", { href: "#/profile" }, "Turn it on in your profile"))));
    return;
  }
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  for (const a of document.querySelectorAll("#sidebar a")) {
    a.classList.toggle("active", Boolean(route) && a.dataset.nav === route[1]);
  }
  setTitle(route ? TITLES[route[1]] : "Not found");
  if (!route) {
    mount(main, h("h1", {}, "Not found"), h("p", {}, "There is no such page. ", h("a", { href: "#/" }, "Back to the dashboard")));
    return;
  }
  const params = path.match(route[0]).slice(1).map(decodeURIComponent);
  // The same page again after an action keeps its scroll position: the page holds its
  // height while the new content loads, then the reader is put back where they were.
  const scrollY = keepScroll ? window.scrollY : null;
  if (scrollY !== null) main.style.minHeight = `${main.offsetHeight}px`;
  const container = h("div", { class: "page", "data-page": route[1] }, h("p", { class: "muted" }, "Loading…"));
  mount(main, container);
  try {
    await route[2](container, params, query);
    if (scrollY !== null) {
      main.style.minHeight = "";
      window.scrollTo(0, scrollY);
    }
    container.dataset.ready = "true";
  } catch (e) {
    main.style.minHeight = "";
    if (ticket === renderCount && hasSession() && e.status === 403) {
      // A bookmarked page this role may not see: say so plainly, no error modal.
      mount(container, h("h1", {}, TITLES[route[1]]),
        h("p", { id: "page-forbidden" }, `${e.message} `, h("a", { href: "#/" }, "Back to the dashboard")));
      container.dataset.ready = "true";
      container.dataset.forbidden = "true";
    } else if (ticket === renderCount && hasSession()) {
      mount(container, h("h1", {}, "Could not load this page"), h("p", { class: "muted" }, e.message || String(e)));
      container.dataset.failed = "true";
      await showError(e);
    }
  }
}

/** Dims the page behind the open phone menu; a tap on it closes the menu. */
function showBackdrop(open) {
  const existing = document.getElementById("menu-backdrop");
  if (!open) {
    if (existing) existing.remove();
    return;
  }
  if (existing) return;
  const backdrop = h("div", { id: "menu-backdrop", onclick: () => {
    document.body.classList.remove("menu-open");
    document.getElementById("menu-toggle").setAttribute("aria-expanded", "false");
    showBackdrop(false);
  } });
  document.body.appendChild(backdrop);
}

function start() {
  setRenderer(render);
  installShortcuts();
  setSessionLostHandler(() => {
    resetSession();
    render();
  });
  document.getElementById("logout").addEventListener("click", async () => {
    try {
      await logout();
    } finally {
      resetSession();
      location.hash = "#/login";
      render();
    }
  });
  const toggle = document.getElementById("menu-toggle");
  toggle.addEventListener("click", () => {
    const open = document.body.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", String(open));
    showBackdrop(open);
  });
  document.getElementById("org-switch").addEventListener("change", (e) => switchTo(e.target.value).catch(showError));
  window.addEventListener("hashchange", render);
  render();
}

start();

// The bell's count while the page stays open (until notifications arrive over a socket).
setInterval(refreshBell, 30_000);
