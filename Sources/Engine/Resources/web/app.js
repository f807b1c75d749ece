// chat-engine web client. Plain JavaScript, no build step, no dependencies.
//
// The page speaks the engine's own protocol (docs/PROTOCOL.md) through the WebSocket gateway
// (docs/WEB.md): it sends {"topic": "chat/…", "payload": {…}} frames and receives whatever the engine
// publishes to chat/user/{me}/…, wrapped the same way. Sections, in order:
//   1. helpers        2. toasts and notices   3. connection (requests, replies, events, reconnects)
//   4. state          5. rendering            6. scrolling     7. rooms     8. messages and threads
//   9. typing and presence                    10. files        11. sync, invitations, search, members, settings
//   12. sign-in and wiring
//
// Text from the network only ever reaches the page through textContent, or as an attribute set with
// setAttribute (link targets are parsed with URL and must be http or https): never through innerHTML.

// MARK: 1. Helpers

const $ = (selector) => document.querySelector(selector);
const APP_TITLE = "chat-engine";

/** Creates an element with properties and children; text always goes through textContent. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** An icon from the sprite in index.html (decorative: the control carries the label). */
function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

function formatTime(seconds, withDate = true) {
  const date = new Date(seconds * 1000);
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return !withDate || date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The claims of a JWT, read without verifying (the server verifies). */
function tokenClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part + "===".slice((part.length + 3) % 4)))));
  } catch {
    return null;
  }
}

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Initials of a display name: "Alice Smith" → "AS", "bob" → "B". */
function initials(name) {
  const parts = String(name || "?").trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.slice(0, 2).map((part) => [...part][0]).join("");
  return (letters || "?").toUpperCase();
}

// Dark enough for white initials (at least 4.5:1).
const AVATAR_COLOURS = ["#1d4ed8", "#047857", "#b91c1c", "#7c3aed", "#c2410c", "#0e7490", "#be185d", "#4d7c0f"];

function avatar(userId, small = false) {
  let hash = 0;
  for (const char of String(userId)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  const node = el("span", { class: small ? "avatar small" : "avatar", "aria-hidden": "true", text: initials(nameOf(userId)) });
  node.style.background = AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
  return node;
}

// URLs (http and https only) and @mentions (PROTOCOL.md: "@" not after a letter or digit, then
// [A-Za-z0-9_.-], trailing dots dropped).
const RICH_TEXT = /(https?:\/\/[^\s<>"'`]+)|(?<![A-Za-z0-9])@([A-Za-z0-9_.-]+)/g;

/** Message text as nodes: links become <a>, mentions of members <span class="mention">. Returns
 *  `{ nodes, mentionsMe }`. */
function richText(text, roomId) {
  const nodes = [];
  let mentionsMe = false;
  let last = 0;
  const members = new Set((state.members.get(roomId) || []).map((m) => m.user_id));
  for (const match of text.matchAll(RICH_TEXT)) {
    let [whole, url, mentioned] = match;
    let end = match.index + whole.length;
    let node = null;
    if (url) {
      const trimmed = url.replace(/[.,;:!?)\]}]+$/, "");
      end = match.index + trimmed.length;
      try {
        const parsed = new URL(trimmed);
        if (parsed.protocol === "http:" || parsed.protocol === "https:") {
          node = el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow", text: trimmed });
        }
      } catch { /* not a URL: stays text */ }
    } else {
      const id = mentioned.replace(/\.+$/, "");
      end = match.index + 1 + id.length;
      const isMe = state.me && id === state.me.id;
      if (isMe || members.has(id) || state.names.has(id)) {
        if (isMe) mentionsMe = true;
        node = el("span", { class: isMe ? "mention me" : "mention", title: nameOf(id), text: `@${id}` });
      }
    }
    if (!node) continue;
    if (match.index > last) nodes.push(text.slice(last, match.index));
    nodes.push(node);
    last = end;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return { nodes, mentionsMe };
}

// MARK: 2. Toasts and notices

/** What each error code means to a person (PROTOCOL.md §1.5). */
const ERROR_TITLES = {
  unauthorized: "Not signed in: the token was refused or has expired",
  invalid_payload: "The request was not understood",
  validation_failed: "Invalid input",
  not_found: "Not found",
  not_member: "You are not a member of this room",
  forbidden: "Not allowed",
  banned: "You are banned here",
  muted: "You are muted in this room",
  room_full: "The room is full",
  rate_limited: "Slow down",
  too_large: "Too large",
  conflict: "Conflict",
  unknown_route: "Unknown request",
  internal: "Server error, please try again",
  timeout: "No answer from the server",
  disconnected: "Not connected",
};

/** A short message at the top of the page; the same text twice only refreshes the first. */
function toast(title, detail = "", kind = "error", code = "") {
  if (detail && (detail.toLowerCase() === title.toLowerCase() || detail === code)) detail = "";
  const key = `${kind}|${title}|${detail}`;
  const existing = [...$("#toasts").children].find((node) => node.dataset.key === key);
  if (existing) existing.remove();
  const node = el("div", { class: `toast ${kind}`, dataset: { code, key }, title: code || null },
    el("strong", { text: title }), detail ? el("span", { text: detail }) : null);
  $("#toasts").append(node);
  setTimeout(() => node.remove(), kind === "error" ? 7000 : 4000);
  while ($("#toasts").children.length > 4) $("#toasts").firstElementChild.remove();
}

function showError(error) {
  const code = error?.code || "internal";
  if (code === "disconnected") return; // the banner says so
  let detail = error?.message || "";
  if (code === "rate_limited" && error.retry_after != null) {
    detail = `${detail}: try again in ${Math.ceil(error.retry_after)} s`;
  }
  toast(ERROR_TITLES[code] || code, detail, "error", code);
}

/** A notice that stays above a room's composer (slow mode, mutes) until it no longer applies. */
function setNotice(roomId, text, until = null, kind = "") {
  if (text) state.notices.set(roomId, { text, until, kind });
  else state.notices.delete(roomId);
  renderNotice();
}

function renderNotice() {
  const notice = state.notices.get(state.currentRoomId);
  const node = $("#room-notice");
  if (!notice || (notice.until && notice.until <= Date.now())) {
    if (notice) state.notices.delete(state.currentRoomId);
    node.hidden = true;
    return;
  }
  const seconds = notice.until ? Math.ceil((notice.until - Date.now()) / 1000) : null;
  node.textContent = typeof notice.text === "function" ? notice.text(seconds) : notice.text;
  node.hidden = false;
}

// MARK: 3. Connection

const SUBPROTOCOL = "chat-engine";

function socketURL() {
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  url.search = "";
  return url.href;
}

/** Why a socket did not open: the HTTP status of GET /ws with the token in a header (401 refused token,
 *  429 too many sockets, 503 server full, 426 all fine), or 0 when the server cannot be reached. */
async function probe(token) {
  try {
    const response = await fetch(new URL("ws", location.href), { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    return response.status;
  } catch {
    return 0;
  }
}

/** One WebSocket to /ws (the token travels in the Sec-WebSocket-Protocol header, never in the URL), with
 *  request/reply matching by request_id and reconnection with backoff. */
class Connection {
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers; // { onEvent(topic, payload), onOpen(), onConnecting(), onClosed(info) → "retry" | "stop" }
    this.pending = new Map();
    this.counter = 0;
    this.tab = Math.random().toString(36).slice(2, 8); // request ids unique across tabs of one user
    this.attempt = 0;
    this.closedByUser = false;
    this.retryAt = null;
    this.open();
  }

  get isOpen() { return this.socket?.readyState === WebSocket.OPEN; }

  open() {
    clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = null;
    const socket = new WebSocket(socketURL(), [SUBPROTOCOL, `bearer.${this.token}`]);
    let opened = false;
    this.socket = socket;
    this.handlers.onConnecting();
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.handlers.onOpen();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = async (event) => {
      if (socket !== this.socket) return;
      for (const [, request] of this.pending) {
        clearTimeout(request.timer);
        request.reject({ code: "disconnected", message: "the connection closed" });
      }
      this.pending.clear();
      if (this.closedByUser) return;
      const status = opened ? null : await probe(this.token);
      if (this.closedByUser || socket !== this.socket) return;
      const delay = Math.min(500 * 2 ** this.attempt, 8000);
      this.attempt += 1;
      if (this.handlers.onClosed({ opened, status, code: event.code, reason: event.reason, delay }) === "stop") return;
      this.retryAt = Date.now() + delay;
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  retryNow() {
    if (this.timer) this.open();
  }

  close() {
    this.closedByUser = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "sign out");
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const { topic, payload } = frame;
    if (topic.endsWith("/responses") && payload && payload.request_id != null && this.pending.has(payload.request_id)) {
      const request = this.pending.get(payload.request_id);
      this.pending.delete(payload.request_id);
      clearTimeout(request.timer);
      if (payload.status === "error") request.reject(payload.error);
      else request.resolve(payload);
      return;
    }
    this.handlers.onEvent(topic, payload);
  }

  /** Sends a request; resolves with the reply, rejects with its `error` ({code, message, …}). */
  request(topic, payload = {}, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject({ code: "disconnected", message: "not connected; retrying" });
        return;
      }
      const requestId = `${this.tab}-${++this.counter}`;
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject({ code: "timeout", message: topic });
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ topic, payload: { ...payload, request_id: requestId } }));
    });
  }
}

/** A request whose failure becomes a toast; resolves to the reply or null. */
async function ask(topic, payload = {}, timeoutMs) {
  try {
    if (!state.connection) throw { code: "disconnected" };
    return await state.connection.request(topic, payload, timeoutMs);
  } catch (error) {
    showError(error);
    return null;
  }
}

// MARK: 4. State

const state = {
  token: null,
  me: null, // { id, name }
  connection: null,
  everOpened: false, // this sign-in has had an open socket (later closes are reconnects)
  isAdmin: false, // a global admin (the session frame says)
  rooms: new Map(), // the rooms I am in: id → { id, name, type, description, member_count, unread, read_seq, last_seq, archived }
  directory: { rooms: [], cursor: null }, // public rooms (rooms/list scope "public"), one page at a time
  invites: new Map(), // room id → { room_id, room_name, invited_by }
  blocked: new Set(), // user ids I block (users/blocked)
  loaded: new Set(), // rooms whose timeline the page holds (opened this session): sync merges into these
  changeSeq: new Map(), // room id → change_seq of the last sync
  info: new Map(), // room id → room data from rooms/{id}/info (locked, slow_mode_seconds, …)
  currentRoomId: null,
  messages: new Map(), // room id → Map(message id → message)
  nextBefore: new Map(), // room id → seq for "load older", or null
  members: new Map(), // room id → [{ user_id, name, status }]
  names: new Map(), // user id → display name, learnt from sessions, members, messages and events
  presence: new Map(), // user id → status
  typing: new Map(), // room id → Map(user id → { name, expires })
  drafts: new Map(), // room id → unsent composer text
  divider: new Map(), // room id → seq of the first unread message ("New messages")
  notices: new Map(), // room id → { text, until } (slow mode, mutes)
  leaving: new Set(), // rooms whose leave is in flight
  thread: null, // root message id of the open thread
  found: null, // message id a search result opened (highlighted)
  editing: null, // message id being edited
  actionsFor: null, // message id whose actions a long press opened
  pickerFor: null, // message id whose reaction picker is open
  files: new Map(), // file id → object URL once downloaded
  images: new Map(), // message id → its <img> in the timeline (kept across renders, so a loaded image keeps its size)
};

function roomMessages(roomId) {
  if (!state.messages.has(roomId)) state.messages.set(roomId, new Map());
  return state.messages.get(roomId);
}

function storeMessage(message) {
  roomMessages(message.room_id).set(message.id, message);
  if (message.sender_id && message.sender_name && message.type !== "system") learnName(message.sender_id, message.sender_name);
}

function learnName(userId, name) {
  // A bare id (the engine's name for a user it never saw a display name of) does not replace a real name.
  if (!userId || !name || (name === userId && state.names.has(userId))) return;
  state.names.set(userId, name);
}

function nameOf(userId) {
  if (state.me && userId === state.me.id) return state.me.name;
  return state.names.get(userId) || userId;
}

function isArchived(roomId) {
  return !!(state.info.get(roomId)?.archived ?? state.rooms.get(roomId)?.archived);
}

/** A room admin (members' is_admin) or a global admin; direct rooms have no room admin. */
function amAdmin(roomId) {
  if (state.rooms.get(roomId)?.type === "direct") return false;
  return state.isAdmin || !!(state.members.get(roomId) || []).find((m) => m.user_id === state.me?.id)?.is_admin;
}

function maxSeq(roomId) {
  let max = 0;
  for (const message of roomMessages(roomId).values()) max = Math.max(max, message.seq);
  return max;
}

function rememberRoom(roomId) {
  if (!state.me) return;
  const key = `chat-engine.room.${state.me.id}`;
  if (roomId) localStorage.setItem(key, roomId); else localStorage.removeItem(key);
}

function rememberedRoom() {
  return state.me ? localStorage.getItem(`chat-engine.room.${state.me.id}`) : null;
}

// MARK: 5. Rendering

/** The other participant of a direct room, from its id (PROTOCOL.md §2.3: private_{a}_{b}, or
 *  private_{n}-{a}_{b} when an id contains "_"). */
function directPeer(room) {
  const rest = room.id.startsWith("private_") ? room.id.slice("private_".length) : "";
  let a = null;
  let b = null;
  const underscores = rest.split("_").length - 1;
  const long = /^(\d+)-(.*)$/.exec(rest);
  if (underscores === 1) [a, b] = rest.split("_");
  else if (long) {
    const n = Number(long[1]);
    a = long[2].slice(0, n);
    b = long[2].slice(n + 1);
  }
  if (a === null) [a, b] = room.name.split(" & ");
  return a === state.me?.id ? b : a;
}

function roomTitle(room) {
  return room.type === "direct" ? nameOf(directPeer(room)) : room.name;
}

function roomIcon(room) {
  return icon(room.type === "direct" ? "at" : room.type === "private" ? "lock" : "hash");
}

function updateTitle() {
  const unread = [...state.rooms.values()].filter((r) => r.is_member).reduce((sum, r) => sum + (r.unread || 0), 0);
  const room = state.rooms.get(state.currentRoomId);
  const base = room ? `${room.type === "direct" ? "@" : "#"}${roomTitle(room)} · ${APP_TITLE}` : APP_TITLE;
  document.title = unread > 0 ? `(${unread}) ${base}` : base;
}

function renderRooms() {
  const rooms = [...state.rooms.values()].filter((r) => r.is_member)
    .sort((a, b) => ((a.type === "direct") - (b.type === "direct")) || roomTitle(a).localeCompare(roomTitle(b)));
  renderList($("#room-list"), rooms.map((room) => {
    const unread = room.unread > 0 && room.id !== state.currentRoomId ? room.unread : 0;
    const current = room.id === state.currentRoomId;
    const label = `${roomTitle(room)}${room.type === "private" ? ", private" : room.type === "direct" ? ", direct message" : ""}`
      + (room.archived ? ", archived" : "") + (unread ? `, ${unread} unread` : "");
    return {
      key: room.id,
      sig: JSON.stringify([label, unread, current, room.type]),
      build: () => el("li", {},
        el("button", {
          type: "button", class: `room${unread ? " has-unread" : ""}${room.archived ? " archived" : ""}`, dataset: { roomId: room.id },
          "aria-current": current ? "true" : null, "aria-label": label,
          onclick: () => openRoom(room.id),
        }, roomIcon(room), el("span", { class: "room-label", text: roomTitle(room) }),
        unread ? el("span", { class: "badge unread", "aria-hidden": "true", text: String(unread) }) : null)),
    };
  }));
  $("#no-rooms").hidden = rooms.length > 0;
  // On a phone the room list is behind the menu button: a dot on it says something waits there.
  $("#toggle-sidebar").classList.toggle("news", state.invites.size > 0 || rooms.some((r) => r.unread > 0 && r.id !== state.currentRoomId));
  renderPublicRooms();
  updateTitle();
}

/** The room directory in the + dialog: public rooms (rooms/list scope "public"), 50 at a time. */
async function loadDirectory(more = false) {
  const payload = { scope: "public", limit: 50 };
  if (more && state.directory.cursor) payload.cursor = state.directory.cursor;
  const reply = await ask("chat/rooms/list", payload);
  if (!reply) return;
  state.directory = { rooms: more ? [...state.directory.rooms, ...reply.rooms] : reply.rooms, cursor: reply.next_cursor };
  renderPublicRooms();
}

function renderPublicRooms() {
  const rooms = state.directory.rooms;
  const close = () => $("#add-room-dialog").close();
  $("#public-rooms").replaceChildren(...rooms.map((room) => {
    const member = state.rooms.has(room.id);
    const about = [`${room.member_count} member${room.member_count === 1 ? "" : "s"}`, room.archived ? "archived" : "", room.description || ""];
    return el("li", { dataset: { roomId: room.id } },
      el("span", { class: "public-room" }, el("strong", { text: `#${room.name}` }),
        el("span", { class: "muted", text: about.filter(Boolean).join(" · ") })),
      member ? el("button", { type: "button", "aria-label": `Open ${room.name}`, text: "Open", onclick: () => { close(); openRoom(room.id); } })
        : room.archived ? null
          : el("button", { type: "button", "aria-label": `Join ${room.name}`, text: "Join", onclick: () => { close(); joinRoom(room.id); } }));
  }));
  $("#no-public-rooms").hidden = rooms.length > 0;
  $("#more-public-rooms").hidden = !state.directory.cursor;
}

function renderRoomHead() {
  const room = state.rooms.get(state.currentRoomId);
  $("#no-room").hidden = !!room;
  $("#room-view").hidden = !room;
  if (!room) return;
  $("#room-view").dataset.roomId = room.id;
  $("#room-name").replaceChildren(roomIcon(room), el("span", { text: roomTitle(room) }));
  const info = state.info.get(room.id) || {};
  const members = state.members.get(room.id) || [];
  const count = info.member_count ?? room.member_count;
  const notes = [];
  if (room.type !== "direct" && count != null) notes.push(`${count} member${count === 1 ? "" : "s"}`);
  if (room.type === "private") notes.push("private");
  if (isArchived(room.id)) notes.push("archived, read-only");
  if (info.locked) notes.push("locked");
  if (info.slow_mode_seconds > 0) notes.push(`slow mode: one message every ${info.slow_mode_seconds} s`);
  $("#room-notes").textContent = notes.join(" · ");
  const description = info.description ?? room.description ?? "";
  $("#room-description").textContent = description;
  $("#room-description").title = description;
  $("#room-description").hidden = !description;
  $("#room-settings").hidden = !amAdmin(room.id);
  $("#composer").hidden = isArchived(room.id);
  $("#read-only").hidden = !isArchived(room.id);
  $("#thread-composer").hidden = isArchived(room.id);
  $("#copy-room-id").title = `Copy room id (${room.id})`;
  $("#leave-room").hidden = room.type === "direct";
  $("#member-list").replaceChildren(...members.slice(0, 12).map((member) => {
    const status = statusOf(member.user_id, member.status);
    return el("li", { dataset: { userId: member.user_id }, title: `${member.name} (@${member.user_id}): ${status}` },
      el("span", { class: `dot ${status}`, "aria-hidden": "true" }), el("span", { text: member.name }),
      el("span", { class: "visually-hidden", text: `, ${status}` }));
  }));
  renderNotice();
  updateTitle();
}

function statusOf(userId, fallback = "offline") {
  if (state.me && userId === state.me.id) return $("#my-status").value;
  return state.presence.get(userId) || fallback || "offline";
}

/** Puts `items` ({ key, sig, build }) into `container` in order, keeping nodes whose signature did not
 *  change (so focus, a loaded image and an open picker survive events that touch other items). When a
 *  changed item held the keyboard focus, the control at the same place in its new node gets it. */
const signatures = new WeakMap();
const FOCUSABLE = "button, a[href], input, textarea, select, [tabindex]";
function renderList(container, items) {
  const old = new Map([...container.children].map((node) => [node.dataset.key, node]));
  let previous = null;
  for (const item of items) {
    let node = old.get(item.key);
    if (!node || signatures.get(node) !== item.sig) {
      const fresh = item.build();
      fresh.dataset.key = item.key;
      signatures.set(fresh, item.sig);
      if (node) {
        const focused = node.contains(document.activeElement) ? [...node.querySelectorAll(FOCUSABLE)].indexOf(document.activeElement) : -1;
        node.replaceWith(fresh);
        if (focused >= 0) (fresh.querySelectorAll(FOCUSABLE)[focused] || fresh.querySelector(FOCUSABLE))?.focus({ preventScroll: true });
      }
      node = fresh;
    }
    old.delete(item.key);
    const expected = previous ? previous.nextSibling : container.firstChild;
    if (node !== expected) container.insertBefore(node, expected);
    previous = node;
  }
  for (const node of old.values()) node.remove();
}

const GROUP_SECONDS = 5 * 60;

/** Timeline items of the open room: messages in seq order, grouped by sender, with the divider. */
function timelineItems(roomId, inThread = false) {
  const all = [...roomMessages(roomId).values()];
  const messages = inThread
    ? all.filter((m) => m.id === state.thread || m.thread_id === state.thread)
    : all.filter((m) => !m.thread_id);
  messages.sort((a, b) => a.seq - b.seq);
  const items = [];
  const divider = inThread ? null : state.divider.get(roomId);
  let previous = null;
  for (const message of messages) {
    const dividerHere = divider != null && message.seq === divider;
    if (dividerHere) items.push({ key: "divider", sig: "divider", build: () => el("li", { class: "divider" }, el("span", { text: "New messages" })) });
    const first = !previous || dividerHere || previous.type === "system" || message.type === "system"
      || previous.sender_id !== message.sender_id || message.timestamp - previous.timestamp > GROUP_SECONDS
      || (!inThread && message.reply_to && !message.thread_id);
    previous = message;
    const sig = JSON.stringify([message, first, inThread, nameOf(message.sender_id), isArchived(roomId), state.found === message.id,
      (message.file && state.files.has(message.file.file_id)) || 0,
      Object.values(message.reactions || {}).flat().map(nameOf), (state.members.get(roomId) || []).length,
      state.pickerFor === message.id]);
    items.push({ key: message.id, sig, build: () => renderMessage(message, { first, inThread }) });
  }
  return items;
}

/** One message; `first` starts a group (avatar, name, time), `inThread` drops the thread link and quote. */
function renderMessage(message, { first = true, inThread = false } = {}) {
  if (message.type === "system") {
    return el("li", { class: "message system", dataset: { id: message.id, seq: message.seq } },
      el("span", { class: "content", text: message.content }));
  }
  const mine = state.me && message.sender_id === state.me.id;
  const showText = !message.file || message.deleted || message.content !== message.file.name;
  const rich = message.deleted ? { nodes: ["message deleted"], mentionsMe: false } : richText(message.content, message.room_id);
  const mentionsMe = rich.mentionsMe && !mine;
  const classes = ["message", first ? "first" : "", mine ? "mine" : "", message.deleted ? "deleted" : "",
    mentionsMe ? "mentions-me" : "", state.found === message.id ? "found" : ""].filter(Boolean).join(" ");
  const readOnly = isArchived(message.room_id);
  const quote = !inThread && message.reply_to && !message.thread_id ? roomMessages(message.room_id).get(message.reply_to) : null;
  const when = new Date(message.timestamp * 1000).toLocaleString();
  return el("li", { class: classes, dataset: { id: message.id, seq: message.seq, sender: message.sender_id } },
    first ? avatar(message.sender_id) : el("span", { class: "gutter", "aria-hidden": "true", text: formatTime(message.timestamp, false) }),
    el("div", { class: "body" },
      first ? el("div", { class: "meta" },
        el("span", { class: "sender", text: nameOf(message.sender_id) }),
        el("time", { datetime: new Date(message.timestamp * 1000).toISOString(), title: when, text: formatTime(message.timestamp) }),
        message.flagged ? el("span", { class: "flag", title: "links to a URL shortener" }, icon("flag"), "link flagged") : null)
        : el("span", { class: "visually-hidden", text: `${nameOf(message.sender_id)}, ${formatTime(message.timestamp)}: ` }),
      quote ? el("div", { class: "quote", text: `Reply to ${nameOf(quote.sender_id)}: ${quote.content.slice(0, 80)}` }) : null,
      showText ? el("div", { class: "content" }, rich.nodes,
        message.edited ? el("span", { class: "edited", text: " (edited)" }) : null) : null,
      message.file && !message.deleted ? renderFile(message.file, inThread ? null : message.id) : null,
      message.deleted ? null : renderReactions(message, readOnly),
      !inThread && !message.thread_id && message.reply_count > 0
        ? el("button", { type: "button", class: "thread-link", text: `${message.reply_count} repl${message.reply_count === 1 ? "y" : "ies"}`, onclick: () => openThread(message.id) })
        : null),
    message.deleted || readOnly ? null : renderActions(message, mine, inThread),
    state.pickerFor === message.id ? renderPicker(message) : null);
}

function renderReactions(message, readOnly) {
  const entries = Object.entries(message.reactions || {}).filter(([, users]) => users.length > 0);
  if (entries.length === 0) return null;
  return el("div", { class: "reactions" }, entries.map(([emoji, users]) => {
    const mine = users.includes(state.me.id);
    const names = users.map(nameOf).join(", ");
    return el("button", {
      type: "button", class: `reaction${mine ? " mine" : ""}`, title: `${names} reacted with ${emoji}`, dataset: { emoji },
      "aria-label": `${emoji} ${users.length}: ${names}${mine ? " (press to remove yours)" : ""}`, "aria-pressed": mine ? "true" : "false",
      text: `${emoji} ${users.length}`, disabled: readOnly, onclick: () => react(message.id, emoji, mine),
    });
  }));
}

const QUICK_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "👀"];

function renderPicker(message) {
  return el("div", { class: "picker", role: "group", "aria-label": "Add a reaction" },
    QUICK_EMOJI.map((emoji) => el("button", {
      type: "button", "aria-label": `React with ${emoji}`, text: emoji,
      onclick: () => { state.pickerFor = null; react(message.id, emoji, false); rerender(); },
    })));
}

function renderActions(message, mine, inThread) {
  const button = (name, label, cls, onclick) => el("button", { type: "button", class: cls, "aria-label": label, title: label, onclick }, icon(name));
  return el("div", { class: "actions", role: "group", "aria-label": "Message actions" },
    button("smile", "Add reaction", "react", () => { state.pickerFor = state.pickerFor === message.id ? null : message.id; rerender(); }),
    inThread ? null : button("reply", "Reply in thread", "reply", () => openThread(message.thread_id || message.id)),
    mine ? button("edit", "Edit", "edit", () => startEditing(message)) : null,
    mine ? button("trash", "Delete", "delete", () => confirmDelete(message)) : null);
}

function renderMessages() {
  const roomId = state.currentRoomId;
  if (!roomId) return;
  const scroller = $("#messages-scroll");
  const before = scroll.anchor(scroller);
  renderList($("#messages"), timelineItems(roomId));
  applyActionState($("#messages"));
  $("#load-older").hidden = state.nextBefore.get(roomId) == null;
  scroll.restore(scroller, before);
  if (state.thread) renderThread();
}

/** Re-renders whatever shows messages (after a picker or action toggle). */
function rerender() {
  renderMessages();
}

function applyActionState(container) {
  for (const node of container.querySelectorAll(".show-actions")) node.classList.remove("show-actions");
  if (state.actionsFor) container.querySelector(`[data-key="${CSS.escape(state.actionsFor)}"]`)?.classList.add("show-actions");
}

function renderTyping() {
  const typists = state.typing.get(state.currentRoomId);
  const now = Date.now();
  const names = typists ? [...typists.entries()].filter(([, t]) => t.expires > now).map(([id, t]) => t.name || nameOf(id)) : [];
  $("#typing").textContent = names.length === 0 ? ""
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
}

function renderMe() {
  if (!state.me) return;
  $("#me-name").textContent = state.me.name;
  $("#me-avatar").replaceWith(Object.assign(avatar(state.me.id, true), { id: "me-avatar" }));
  $("#me-dot").className = `dot ${$("#my-status").value}`;
}

// MARK: 6. Scrolling

/** Keeps the newest message in view while the reader is at the bottom (also while images load above
 *  it), keeps the message under the reader's eyes in place otherwise, and counts what arrived below. */
const scroll = {
  stick: true,
  below: 0, // messages from others that arrived while the reader was scrolled up
  expected: null, // scrollTop the page itself set last: its scroll event says nothing about the reader

  atBottom(scroller) {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
  },

  /** The first message whose bottom is below the top edge, and its offset from that edge. */
  anchor(scroller) {
    if (this.stick) return null;
    const top = scroller.getBoundingClientRect().top;
    for (const node of $("#messages").children) {
      const rect = node.getBoundingClientRect();
      if (rect.bottom > top) return { node, offset: rect.top - top };
    }
    return null;
  },

  restore(scroller, anchor) {
    if (this.stick) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (anchor?.node.isConnected) {
      const offset = anchor.node.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      scroller.scrollTop += offset - anchor.offset;
    }
    this.expected = scroller.scrollTop;
  },

  toBottom() {
    this.stick = true;
    this.below = 0;
    const scroller = $("#messages-scroll");
    scroller.scrollTop = scroller.scrollHeight;
    this.expected = scroller.scrollTop;
    this.renderJump();
  },

  onScroll() {
    const scroller = $("#messages-scroll");
    // The event of our own scroll can arrive after an image grew the list: it must not unstick.
    if (this.expected !== null && Math.abs(scroller.scrollTop - this.expected) < 1) return;
    this.expected = null;
    this.stick = this.atBottom(scroller);
    if (this.stick) {
      this.below = 0;
      markRead();
    }
    this.saved = this.anchor(scroller);
    this.renderJump();
  },

  /** Content changed size (an image loaded, the window or the keyboard resized it). */
  onResize() {
    const scroller = $("#messages-scroll");
    this.restore(scroller, this.saved);
  },

  renderJump() {
    const button = $("#jump-latest");
    button.hidden = this.stick;
    $("#jump-latest-text").textContent = this.below > 0
      ? `${this.below} new message${this.below === 1 ? "" : "s"}` : "Jump to latest";
  },
};

// MARK: 7. Rooms

/** Every page of rooms/list in `scope` ("mine", "invited"); null when a request failed. */
async function listRooms(scope) {
  const rooms = [];
  let cursor = null;
  do {
    const reply = await ask("chat/rooms/list", cursor ? { scope, limit: 100, cursor } : { scope, limit: 100 });
    if (!reply) return null;
    rooms.push(...reply.rooms);
    cursor = reply.next_cursor;
  } while (cursor);
  return rooms;
}

/** Reloads my rooms and my invitations (after joins, leaves, kicks; sync does it on connects). */
async function loadRooms() {
  const [rooms, invited] = await Promise.all([listRooms("mine"), listRooms("invited")]);
  if (invited) setInvites(invited.map((room) => ({ room_id: room.id, room_name: room.name, invited_by: room.invited_by })));
  if (!rooms) return false;
  setRooms(rooms);
  return true;
}

/** Replaces the rooms I am in; forgets what the page held of rooms I am no longer in. */
function setRooms(rooms) {
  const before = state.rooms;
  state.rooms = new Map(rooms.map((room) => [room.id, { ...room, is_member: true }]));
  for (const roomId of before.keys()) if (!state.rooms.has(roomId)) forgetRoom(roomId);
  renderRooms();
  renderRoomHead();
  // Direct rooms are named by their ids; their members' display names come with rooms/{id}/info.
  for (const room of rooms) {
    if (room.type === "direct" && !state.names.has(directPeer(room))) loadMembers(room.id).then(renderRooms);
  }
}

function forgetRoom(roomId) {
  if (state.currentRoomId === roomId) {
    state.currentRoomId = null;
    rememberRoom(null);
    closeThread();
    for (const dialog of document.querySelectorAll("#members-dialog, #settings-dialog")) dialog.close();
  }
  for (const map of [state.messages, state.members, state.info, state.divider, state.notices, state.drafts, state.changeSeq]) map.delete(roomId);
  state.loaded.delete(roomId);
}

async function createRoom(name, isPrivate) {
  const reply = await ask("chat/rooms/create", { name, type: isPrivate ? "private" : "public" });
  if (!reply) return false;
  await loadRooms();
  openRoom(reply.room_id);
  return true;
}

async function joinRoom(roomId) {
  const reply = await ask(`chat/rooms/join/${encodeURIComponent(roomId)}`);
  if (!reply) return false;
  await loadRooms();
  openRoom(roomId);
  return true;
}

/** Asks first; then leaves, forgets the room, and asks nothing more about it. */
async function confirmLeave() {
  const room = state.rooms.get(state.currentRoomId);
  if (!room) return;
  const ok = await confirmDialog(`Leave #${roomTitle(room)}?`,
    room.type === "private" ? "It is private: you need a new invitation to come back." : "You can join it again from the + menu.",
    "Leave");
  if (ok) leaveRoom(room.id);
}

async function leaveRoom(roomId) {
  state.leaving.add(roomId);
  const reply = await ask(`chat/rooms/leave/${roomId}`);
  if (!reply) {
    state.leaving.delete(roomId);
    return;
  }
  forgetRoom(roomId);
  await loadRooms();
  state.leaving.delete(roomId);
}

/** Opens a room: its history (newest 50), members and read mark; `refresh` (after a reconnect) keeps
 *  what is on screen, the composer and the open thread, and merges what is new. */
async function openRoom(roomId, { refresh = false } = {}) {
  const switching = state.currentRoomId !== roomId;
  if (switching && state.currentRoomId) state.drafts.set(state.currentRoomId, $("#composer-input").value);
  state.currentRoomId = roomId;
  rememberRoom(roomId);
  closeSidebar();
  if (switching) {
    if (state.found && !state.found.startsWith(`${roomId}:`)) state.found = null;
    closeThread();
    stopEditing(false);
    state.actionsFor = null;
    state.pickerFor = null;
    $("#composer-input").value = state.drafts.get(roomId) || "";
    autoGrow($("#composer-input"));
    $("#messages").replaceChildren();
    scroll.stick = true;
    scroll.below = 0;
    scroll.renderJump();
    renderTyping();
  }
  const room = state.rooms.get(roomId);
  const unread = room?.unread || 0;
  renderRooms();
  renderRoomHead();
  if (!refresh) state.messages.set(roomId, new Map());
  const [history] = await Promise.all([ask(`chat/history/${roomId}`, { limit: 50 }), loadMembers(roomId)]);
  if (state.currentRoomId !== roomId) return;
  if (history) {
    history.messages.forEach(storeMessage);
    state.loaded.add(roomId);
    if (!refresh || !state.nextBefore.has(roomId)) state.nextBefore.set(roomId, history.has_more ? history.next_before : null);
  }
  if (!refresh) placeDivider(roomId, unread);
  renderMessages();
  if (!refresh) revealDivider();
  if (state.thread && refresh) openThread(state.thread, { focus: false });
  markRead();
  interactive();
}

/** Marks the moment the page is usable (rooms listed and the remembered room shown): docs/WEB.md's
 *  time to interactive reads this mark. */
function interactive() {
  if (performance.getEntriesByName("chat-interactive").length === 0) performance.mark("chat-interactive");
}

/** "New messages" goes above the oldest of the room's `unread` newest messages from others. */
function placeDivider(roomId, unread) {
  state.divider.delete(roomId);
  if (unread <= 0) return;
  const others = [...roomMessages(roomId).values()]
    .filter((m) => !m.thread_id && m.sender_id !== state.me.id).sort((a, b) => a.seq - b.seq);
  const first = others[Math.max(0, others.length - unread)];
  if (first) state.divider.set(roomId, first.seq);
}

/** After opening a room with a divider above the fold: start at the divider, not at the bottom. */
function revealDivider() {
  const divider = $("#messages .divider");
  const scroller = $("#messages-scroll");
  if (!divider) return;
  const top = divider.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  if (top < 0) {
    scroller.scrollTop += top - 8;
    scroll.expected = scroller.scrollTop;
    scroll.stick = scroll.atBottom(scroller);
    scroll.saved = scroll.anchor(scroller);
    scroll.renderJump();
  }
}

async function loadOlder() {
  const roomId = state.currentRoomId;
  const before = state.nextBefore.get(roomId);
  if (before == null) return;
  scroll.stick = false;
  const reply = await ask(`chat/history/${roomId}`, { limit: 50, before });
  if (!reply || state.currentRoomId !== roomId) return;
  reply.messages.forEach(storeMessage);
  state.nextBefore.set(roomId, reply.has_more ? reply.next_before : null);
  renderMessages();
}

async function loadMembers(roomId) {
  if (state.leaving.has(roomId)) return;
  const reply = await ask(`chat/rooms/${roomId}/info`);
  if (!reply) return;
  state.members.set(roomId, reply.members);
  state.info.set(roomId, reply.room);
  for (const member of reply.members) {
    learnName(member.user_id, member.name);
    if (member.user_id !== state.me.id) state.presence.set(member.user_id, member.status);
  }
  if (state.rooms.has(roomId)) state.rooms.get(roomId).member_count = reply.room.member_count;
  if (roomId === state.currentRoomId) {
    renderRoomHead();
    if ($("#members-dialog").open) renderMembersDialog();
  }
}

let readTimer = null;
/** Marks the open room read up to its newest message (debounced), while the page is seen. */
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(async () => {
    const roomId = state.currentRoomId;
    if (!roomId || document.hidden || !state.connection?.isOpen || state.leaving.has(roomId)) return;
    const seqs = [...roomMessages(roomId).values()].map((m) => m.seq);
    if (seqs.length === 0) return;
    const reply = await ask(`chat/read/${roomId}`, { seq: Math.max(...seqs) }); // read_updated tells my other devices
    if (reply && state.rooms.has(roomId)) {
      state.rooms.get(roomId).unread = reply.unread;
      renderRooms();
    }
  }, 300);
}

function openSidebar(open) {
  document.body.classList.toggle("sidebar-open", open);
  $("#toggle-sidebar").setAttribute("aria-expanded", String(open));
}

function closeSidebar() { openSidebar(false); }

/** A modal question; resolves true when confirmed. */
function confirmDialog(title, text, action) {
  const dialog = $("#confirm-dialog");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = action;
  dialog.showModal();
  $("#confirm-cancel").focus();
  return new Promise((resolve) => {
    const done = (value) => () => { dialog.close(); resolve(value); };
    const ok = done(true);
    const cancel = done(false);
    $("#confirm-ok").addEventListener("click", ok, { once: true });
    $("#confirm-cancel").addEventListener("click", cancel, { once: true });
    dialog.addEventListener("close", () => {
      $("#confirm-ok").removeEventListener("click", ok);
      $("#confirm-cancel").removeEventListener("click", cancel);
      resolve(false);
    }, { once: true });
  });
}

// MARK: 8. Messages and threads

async function sendMessage(text) {
  const roomId = state.currentRoomId;
  if (!roomId || !text.trim()) return false;
  if (state.editing) {
    const id = state.editing;
    const reply = await ask(`chat/message/${id}/edit`, { content: text });
    if (reply) stopEditing(true);
    return !!reply;
  }
  typingStopped();
  state.divider.delete(roomId);
  scroll.toBottom();
  try {
    await state.connection.request(`chat/message/${roomId}`, { content: text });
    return true;
  } catch (error) {
    postRefused(roomId, error);
    return false;
  }
}

/** Slow mode and mutes stay on screen above the composer, with the seconds left. */
function postRefused(roomId, error) {
  const room = state.rooms.get(roomId);
  const where = room ? `#${roomTitle(room)}` : "this room";
  if (error?.code === "rate_limited" && error.retry_after != null) {
    const slow = state.info.get(roomId)?.slow_mode_seconds > 0;
    const until = Date.now() + error.retry_after * 1000;
    setNotice(roomId, (s) => slow
      ? `Slow mode in ${where}: you can post again in ${s} s. Your message is kept.`
      : `You are sending too fast: try again in ${s} s. Your message is kept.`, until, "slow");
  } else if (error?.code === "muted") {
    setNotice(roomId, `You are muted in ${where}. Your message is kept.`);
  } else {
    showError(error);
  }
}

async function react(messageId, emoji, remove) {
  await ask(`chat/message/${messageId}/react`, { emoji, remove });
}

let savedDraft = "";
function startEditing(message) {
  if (!state.editing) savedDraft = $("#composer-input").value;
  state.editing = message.id;
  $("#composer-mode").hidden = false;
  $("#composer-mode-text").textContent = "Editing your message (Esc to cancel)";
  $("#composer-input").value = message.content;
  autoGrow($("#composer-input"));
  $("#composer-input").focus();
}

function stopEditing(restoreDraft = true) {
  if (!state.editing) return;
  state.editing = null;
  $("#composer-mode").hidden = true;
  $("#composer-input").value = restoreDraft ? savedDraft : "";
  savedDraft = "";
  autoGrow($("#composer-input"));
}

async function confirmDelete(message) {
  if (await confirmDialog("Delete this message?", message.content.slice(0, 140) || "This cannot be undone.", "Delete")) {
    ask(`chat/message/${message.id}/delete`);
  }
}

async function openThread(rootId, { focus = true } = {}) {
  state.thread = rootId;
  $("#thread-pane").hidden = false;
  const roomId = rootId.slice(0, rootId.lastIndexOf(":"));
  const reply = await ask(`chat/history/${roomId}`, { thread_id: rootId, limit: 100 });
  if (state.thread !== rootId) return;
  if (reply) reply.messages.forEach(storeMessage);
  renderThread();
  if (focus) $("#thread-input").focus();
}

function closeThread() {
  state.thread = null;
  $("#thread-pane").hidden = true;
}

function renderThread() {
  const rootId = state.thread;
  const roomId = rootId.slice(0, rootId.lastIndexOf(":"));
  const list = $("#thread-messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  renderList(list, timelineItems(roomId, true));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

async function sendThreadReply(text) {
  if (!state.thread || !text.trim()) return false;
  const roomId = state.thread.slice(0, state.thread.lastIndexOf(":"));
  try {
    await state.connection.request(`chat/message/${state.thread}/reply`, { content: text });
    return true;
  } catch (error) {
    postRefused(roomId, error);
    return false;
  }
}

/** Everything the engine publishes to chat/user/{me}/… (PROTOCOL.md §3.1). */
function handleEvent(topic, event) {
  if (topic.endsWith("/session")) {
    state.me = { id: event.user_id, name: event.name };
    state.isAdmin = !!event.is_admin;
    renderMe();
    return;
  }
  if (topic.endsWith("/notifications") && (event.type === "private_message" || event.type === "mention")) {
    const message = event.message || {};
    if (!state.blocked.has(message.sender_id)) {
      toast(event.type === "mention" ? `${nameOf(message.sender_id)} mentioned you` : `Message from ${nameOf(message.sender_id)}`,
        message.content ?? "", "info");
    }
    return;
  }
  if (topic.endsWith("/responses")) return; // a reply to another tab of the same user
  switch (event.type) {
    case "text": case "image": case "file": case "system":
      onChatMessage(event);
      break;
    case "message_history":
      event.messages.forEach(storeMessage);
      if (event.room_id === state.currentRoomId) renderMessages();
      break;
    case "message_edited": case "message_deleted":
      storeMessage(event.message);
      if (event.room_id === state.currentRoomId) renderMessages();
      break;
    case "reaction_added": case "reaction_removed": {
      // The event names one user and one emoji (not the whole map): apply it to what we hold.
      const message = roomMessages(event.room_id).get(event.message_id);
      if (message) {
        const reactions = { ...(message.reactions || {}) };
        const users = (reactions[event.emoji] || []).filter((id) => id !== event.user_id);
        if (event.type === "reaction_added") users.push(event.user_id);
        if (users.length > 0) reactions[event.emoji] = users; else delete reactions[event.emoji];
        message.reactions = reactions;
        if (event.room_id === state.currentRoomId) renderMessages();
      }
      break;
    }
    case "typing_start": case "typing_stop": {
      learnName(event.user_id, event.name);
      if (!state.typing.has(event.room_id)) state.typing.set(event.room_id, new Map());
      const typists = state.typing.get(event.room_id);
      if (event.type === "typing_start") typists.set(event.user_id, { name: event.name, expires: Date.now() + 12000 });
      else typists.delete(event.user_id);
      renderTyping();
      break;
    }
    case "user_status":
      learnName(event.user_id, event.name);
      state.presence.set(event.user_id, event.status);
      renderRoomHead();
      break;
    case "read_updated": { // I read the room on this or another device
      const room = state.rooms.get(event.room_id);
      if (room) {
        Object.assign(room, { unread: event.unread, read_seq: event.read_seq });
        renderRooms();
      }
      break;
    }
    case "room_invited":
      learnName(event.invited_by, event.invited_by_name);
      state.invites.set(event.room_id, { room_id: event.room_id, room_name: event.room_name, invited_by: event.invited_by });
      renderInvites();
      toast(`${nameOf(event.invited_by)} invited you to #${event.room_name}`, "Accept or decline under Invitations.", "info");
      break;
    case "room_invite_revoked":
      state.invites.delete(event.room_id);
      renderInvites();
      break;
    case "member_joined": case "member_left": {
      learnName(event.user_id, event.name);
      const mine = event.user_id === state.me.id;
      if (mine && event.type === "member_left") {
        // Our own leave is handled by leaveRoom; a kick or a ban is news.
        if (event.reason !== "left") {
          const room = state.rooms.get(event.room_id);
          toast(`You were ${event.reason} from #${room ? roomTitle(room) : event.room_id}`, "", "error");
          if (event.room_id === state.currentRoomId) { state.currentRoomId = null; rememberRoom(null); closeThread(); }
          loadRooms();
        }
      } else if (event.room_id === state.currentRoomId && !state.leaving.has(event.room_id)) {
        loadMembers(event.room_id);
      }
      if (state.rooms.has(event.room_id)) state.rooms.get(event.room_id).member_count = event.member_count;
      break;
    }
    case "room_updated": {
      // The event carries the room's data (flat, or as `room`): apply what it has.
      const data = Object.assign({}, event, [event.room, event.room_data].find((d) => d && typeof d === "object"));
      if (event.action === "archive" || event.action === "unarchive") data.archived ??= event.action === "archive";
      const room = state.rooms.get(event.room_id);
      const where = room ? `#${roomTitle(room)}` : "a room";
      const info = state.info.get(event.room_id);
      for (const key of ["name", "description", "locked", "slow_mode_seconds", "archived", "member_count"]) {
        if (data[key] === undefined) continue;
        if (info) info[key] = data[key];
        if (room && key !== "locked" && key !== "slow_mode_seconds") room[key] = data[key];
      }
      if (event.action === "slow_mode" && !(data.slow_mode_seconds > 0) && state.notices.get(event.room_id)?.kind === "slow") {
        setNotice(event.room_id, null);
      }
      const who = nameOf(data.user_id);
      const what = {
        rename: `${nameOf(event.by)} renamed ${where} to #${data.name}`,
        describe: `${nameOf(event.by)} changed the description of ${where}`,
        promote: `${nameOf(event.by)} made ${who} an admin of ${where}`,
        demote: `${nameOf(event.by)} removed ${who} as an admin of ${where}`,
        archive: `${nameOf(event.by)} archived ${where}: it is read-only now`,
        unarchive: `${nameOf(event.by)} unarchived ${where}`,
        lock: `${nameOf(event.by)} locked ${where}`, unlock: `${nameOf(event.by)} unlocked ${where}`,
        slow_mode: data.slow_mode_seconds > 0 ? `${nameOf(event.by)} set slow mode in ${where}: one message every ${data.slow_mode_seconds} s`
          : `${nameOf(event.by)} turned slow mode off in ${where}`,
        clear_history: `${nameOf(event.by)} cleared the history of ${where}`,
      }[event.action] || `${where}: ${event.action.replace("_", " ")} by ${nameOf(event.by)}`;
      toast(what, "", "info");
      renderRooms();
      if (event.room_id === state.currentRoomId) {
        renderRoomHead();
        renderMessages(); // archived rooms have no message actions
        if ($("#settings-dialog").open) renderSettings(false);
        if (["promote", "demote", "kick"].includes(event.action)) loadMembers(event.room_id);
      }
      if (event.action === "clear_history" && event.room_id === state.currentRoomId) openRoom(event.room_id);
      break;
    }
    case "user_muted":
      if (event.user_id === state.me.id) {
        const room = state.rooms.get(event.room_id);
        const where = room ? `#${roomTitle(room)}` : "a room";
        if (event.muted) {
          const until = event.until ? event.until * 1000 : null;
          setNotice(event.room_id, until ? (s) => `You are muted in ${where} until ${formatTime(event.until)} (${Math.ceil(s / 60)} min left).`
            : `You are muted in ${where}.`, until);
        } else {
          setNotice(event.room_id, null);
        }
        toast(event.muted ? `You were muted in ${where}` : `You were unmuted in ${where}`, "", "info");
      }
      break;
    case "user_banned":
      if (event.user_id === state.me.id) {
        toast(event.banned ? "You were banned" : "You were unbanned", "", event.banned ? "error" : "info");
        loadRooms();
      }
      break;
    case "broadcast":
      toast(`Broadcast from ${event.sender_name}`, event.content, "info");
      break;
  }
}

function onChatMessage(message) {
  storeMessage(message);
  if (message.thread_id) {
    const root = roomMessages(message.room_id).get(message.thread_id);
    if (root && !root._counted?.has(message.id)) {
      root._counted = root._counted || new Set();
      root._counted.add(message.id);
      root.reply_count = (root.reply_count || 0) + 1;
    }
  }
  const typists = state.typing.get(message.room_id);
  if (typists?.delete(message.sender_id)) renderTyping();
  const fromOther = message.sender_id !== state.me.id && message.type !== "system";
  const room = state.rooms.get(message.room_id);
  if (room && message.seq > (room.last_seq || 0)) room.last_seq = message.seq;
  if (message.room_id === state.currentRoomId) {
    const unseen = fromOther && !message.thread_id && (document.hidden || !scroll.stick);
    if (unseen && !state.divider.has(message.room_id)) state.divider.set(message.room_id, message.seq);
    if (unseen && !scroll.stick) scroll.below += 1;
    if (document.hidden && fromOther && room) {
      room.unread = (room.unread || 0) + 1;
      updateTitle();
    }
    renderMessages();
    scroll.renderJump();
    if (scroll.stick) markRead();
  } else if (room) {
    if (fromOther) room.unread = (room.unread || 0) + 1;
    renderRooms();
  } else {
    loadRooms(); // e.g. a first private message opened a direct room
  }
}

// MARK: 9. Typing and presence

let typingSince = 0;
let typingIdle = null;

/** Sends typing/start at most every 5 s while the user types, and typing/stop after 4 s idle. */
function typingActivity() {
  const roomId = state.currentRoomId;
  if (!roomId || state.editing || !state.connection?.isOpen) return;
  if (Date.now() - typingSince > 5000) {
    typingSince = Date.now();
    state.connection.request(`chat/typing/${roomId}/start`).catch(() => {});
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(typingStopped, 4000, roomId);
}

function typingStopped(roomId = state.currentRoomId) {
  clearTimeout(typingIdle);
  if (typingSince && roomId) state.connection?.request(`chat/typing/${roomId}/stop`).catch(() => {});
  typingSince = 0;
}

let presenceTimer = null;
/** Announces the chosen status now and every 4 minutes (the engine's TTL is 300 s). */
function announcePresence() {
  clearInterval(presenceTimer);
  const send = () => state.connection?.request(`chat/presence/${$("#my-status").value}`).catch(() => {});
  send();
  presenceTimer = setInterval(send, 240000);
  renderMe();
  renderRoomHead();
}

// MARK: 10. Files

const CHUNK_BYTES = 1024 * 1024; // the engine takes at most 1 MiB of data per upload message

async function uploadFile(file) {
  const roomId = state.currentRoomId;
  if (!roomId) return;
  const progress = $("#upload-progress");
  progress.hidden = false;
  const bar = progress.querySelector("progress");
  const label = progress.querySelector("span");
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length === 0) throw { code: "validation_failed", message: "the file is empty" };
    const total = Math.ceil(bytes.length / CHUNK_BYTES);
    const uploadId = `up${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const mime = file.type && file.type.includes("/") ? file.type : "application/octet-stream";
    let reply = null;
    for (let index = 0; index < total; index++) {
      label.textContent = `${file.name}: ${index + 1}/${total}`;
      bar.value = (index / total) * 100;
      const data = bytesToBase64(bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES));
      reply = await state.connection.request(`chat/file/upload/${roomId}`,
        { upload_id: uploadId, index, total, data, name: file.name, mime }, 60000);
    }
    bar.value = 100;
    scroll.toBottom();
    await state.connection.request(`chat/file/share/${roomId}`, { file_id: reply.file_id, caption: file.name });
  } catch (error) {
    postRefused(roomId, error);
  } finally {
    progress.hidden = true;
    $("#file-input").value = "";
  }
}

/** Downloads a whole file in 1 MiB ranges; resolves to an object URL. */
async function fetchFile(file) {
  if (state.files.has(file.file_id)) return state.files.get(file.file_id);
  const parts = [];
  let offset = 0;
  for (;;) {
    const reply = await state.connection.request(`chat/file/get/${file.file_id}`, { offset, length: CHUNK_BYTES }, 60000);
    parts.push(base64ToBytes(reply.data));
    offset += reply.length;
    if (reply.eof) break;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: file.mime }));
  state.files.set(file.file_id, url);
  return url;
}

/** An image (shown inline up to 4 MiB) or a file, with one download button naming it. The timeline
 *  keeps one <img> per message (`imageKey`), so re-rendering never makes a loaded image load again. */
function renderFile(file, imageKey) {
  const box = el("div", { class: "file", dataset: { fileId: file.file_id } });
  if (file.mime.startsWith("image/") && file.size <= 4 * 1024 * 1024) {
    let image = imageKey ? state.images.get(imageKey) : null;
    if (!image) {
      image = el("img", { alt: file.name });
      fetchFile(file).then((url) => { image.src = url; }).catch(() => image.remove());
      if (imageKey) state.images.set(imageKey, image);
    }
    box.append(image);
  }
  box.append(el("button", {
    type: "button", class: "download", "aria-label": `Download ${file.name} (${formatSize(file.size)})`,
    onclick: async () => {
      try {
        const url = await fetchFile(file);
        const link = el("a", { href: url, download: file.name });
        document.body.append(link);
        link.click();
        link.remove();
      } catch (error) {
        showError(error);
      }
    },
  }, icon("download"), el("span", { text: `${file.name} · ${formatSize(file.size)}` })));
  return box;
}

// MARK: 11. Sync, invitations, search, members and settings

/** Gets up to date in one round trip after every (re)connect (SPEC §10, PROTOCOL.md `sync`). Per room
 *  the page sends the newest seq it holds (for a room whose timeline it does not hold: the room's last
 *  seq, so nothing is sent back) and the change_seq of the last sync; it merges the missed messages and
 *  the current state of held messages edited, deleted or reacted to meanwhile. A room with more missed
 *  messages than `limit` (`has_more`) or too many changes (`changes_truncated`) is loaded afresh.
 *  Rooms, unread counts, read marks and invitations come with the same reply. */
async function sync(limit) {
  const rooms = {};
  for (const room of state.rooms.values()) {
    rooms[room.id] = { last_seq: state.loaded.has(room.id) ? maxSeq(room.id) : room.last_seq ?? 0, change_seq: state.changeSeq.get(room.id) ?? 0 };
  }
  // A large catch-up comes in parts (`next_room`); a room cut short between two parts is kept as the
  // first part gave it (it says `has_more`, so it is loaded afresh below).
  const entries = new Map();
  let reply = null;
  let from = null;
  for (let part = 0; part < 50; part++) {
    reply = await ask("chat/sync", from ? { rooms, limit_per_room: limit, from_room: from } : { rooms, limit_per_room: limit }, 30000);
    if (!reply) return false;
    for (const entry of reply.rooms) if (!entries.has(entry.room_id)) entries.set(entry.room_id, entry);
    from = reply.next_room;
    if (!from) break;
  }
  const stale = [];
  for (const entry of entries.values()) {
    const roomId = entry.room_id;
    if (entry.change_seq != null) state.changeSeq.set(roomId, entry.change_seq);
    if (!state.loaded.has(roomId)) continue;
    if (entry.has_more || entry.changes_truncated) {
      stale.push(roomId);
      continue;
    }
    const held = roomMessages(roomId);
    for (const [id, message] of held) if (message.seq < (entry.first_seq ?? 0)) held.delete(id); // gone from the server
    const missed = entry.messages || [];
    missed.forEach(storeMessage);
    (entry.changed || []).forEach(storeMessage);
    // Missed messages the reader has not seen yet get the "New messages" divider.
    const fresh = missed.filter((m) => m.sender_id !== state.me.id && m.type !== "system" && !m.thread_id);
    if (roomId === state.currentRoomId && fresh.length > 0 && !state.divider.has(roomId) && (document.hidden || !scroll.stick)) {
      state.divider.set(roomId, fresh[0].seq);
    }
  }
  setRooms([...entries.values()].map(({ messages, changed, ...room }) => ({ ...room, id: room.room_id })));
  setInvites(reply.invites || []);
  for (const roomId of stale) {
    state.loaded.delete(roomId);
    if (roomId !== state.currentRoomId) state.messages.delete(roomId);
    else openRoom(roomId).then(() => state.thread && openThread(state.thread, { focus: false }));
  }
  if (state.currentRoomId && !stale.includes(state.currentRoomId)) {
    renderMessages();
    loadMembers(state.currentRoomId);
    if (state.thread) openThread(state.thread, { focus: false });
    if (scroll.stick) markRead();
  }
  return true;
}

async function loadBlocked() {
  const reply = await ask("chat/users/blocked");
  if (!reply) return;
  state.blocked = new Set(reply.users);
  if ($("#members-dialog").open) renderMembersDialog();
}

function setInvites(invites) {
  state.invites = new Map(invites.map((invite) => [invite.room_id, invite]));
  renderInvites();
}

function renderInvites() {
  const invites = [...state.invites.values()];
  $("#invites").hidden = invites.length === 0;
  $("#invite-list").replaceChildren(...invites.map((invite) => el("li", { dataset: { roomId: invite.room_id } },
    el("span", {}, el("strong", { text: `#${invite.room_name}` }), el("span", { class: "muted", text: ` from ${nameOf(invite.invited_by)}` })),
    el("span", { class: "row" },
      el("button", { type: "button", class: "primary", text: "Accept", "aria-label": `Accept the invitation to ${invite.room_name}`, onclick: () => acceptInvite(invite) }),
      el("button", { type: "button", text: "Decline", "aria-label": `Decline the invitation to ${invite.room_name}`, onclick: () => declineInvite(invite) })))));
  renderRooms();
}

async function acceptInvite(invite) {
  state.invites.delete(invite.room_id);
  renderInvites();
  if (!(await joinRoom(invite.room_id))) loadRooms(); // e.g. withdrawn meanwhile: the list is read again
}

async function declineInvite(invite) {
  if (await ask(`chat/rooms/invite/${invite.room_id}`, { user_id: state.me.id, revoke: true })) {
    state.invites.delete(invite.room_id);
    renderInvites();
  }
}

/** Starts (or continues) a direct conversation: chat/private/{user_id} creates the room on first use. */
async function sendDirect(userId, text) {
  const reply = await ask(`chat/private/${encodeURIComponent(userId)}`, { content: text });
  if (!reply) return false;
  await loadRooms();
  openRoom(reply.room_id);
  return true;
}

async function search(query) {
  const status = $("#search-status");
  status.textContent = "Searching…";
  const reply = await ask("chat/search", { query, limit: 50 });
  if (!reply) {
    status.textContent = "";
    return;
  }
  const count = reply.messages.length;
  status.textContent = count === 0 ? `Nothing found for “${query}”.` : `${count} message${count === 1 ? "" : "s"}, newest first`;
  $("#search-results").replaceChildren(...reply.messages.map((message) => {
    learnName(message.sender_id, message.sender_name);
    const room = state.rooms.get(message.room_id);
    const where = room ? `${room.type === "direct" ? "@" : "#"}${roomTitle(room)}` : message.room_id;
    return el("li", {}, el("button", { type: "button", class: "result", dataset: { roomId: message.room_id, id: message.id }, onclick: () => showFound(message) },
      el("span", { class: "result-meta" }, el("strong", { text: where }), ` · ${nameOf(message.sender_id)} · ${formatTime(message.timestamp)}`),
      el("span", { class: "result-text", text: message.content })));
  }));
}

/** Opens a search result's room and shows the message there (loading older pages until it is in). */
async function showFound(message) {
  $("#search-dialog").close();
  state.found = message.id;
  await openRoom(message.room_id);
  for (let page = 0; page < 20 && !roomMessages(message.room_id).has(message.id) && state.nextBefore.get(message.room_id) != null; page++) {
    await loadOlder();
  }
  const node = $(`#messages [data-key="${CSS.escape(message.id)}"]`);
  if (!node) return;
  node.scrollIntoView({ block: "center" });
  const scroller = $("#messages-scroll");
  scroll.stick = scroll.atBottom(scroller);
  scroll.expected = scroller.scrollTop;
  scroll.saved = scroll.anchor(scroller);
  scroll.renderJump();
  scroller.focus({ preventScroll: true });
}

function renderMembersDialog() {
  const roomId = state.currentRoomId;
  const room = state.rooms.get(roomId);
  if (!room) return;
  const admin = amAdmin(roomId);
  $("#members-title").textContent = `Members of ${room.type === "direct" ? "@" : "#"}${roomTitle(room)}`;
  $("#members-full").replaceChildren(...(state.members.get(roomId) || []).map((member) => {
    const blocked = state.blocked.has(member.user_id);
    const status = statusOf(member.user_id, member.status);
    const action = (text, onclick, cls) => el("button", { type: "button", class: cls, text, "aria-label": `${text} ${member.name}`, onclick });
    return el("li", { dataset: { userId: member.user_id } },
      el("span", { class: `dot ${status}`, "aria-hidden": "true" }),
      el("span", { class: "who" }, el("strong", { text: member.name }), el("span", { class: "muted", text: ` @${member.user_id}` }),
        el("span", { class: "visually-hidden", text: `, ${status}` }),
        member.is_admin ? el("span", { class: "tag", text: "admin" }) : null, blocked ? el("span", { class: "tag", text: "blocked" }) : null),
      member.user_id === state.me.id ? null : el("span", { class: "row" },
        action(blocked ? "Unblock" : "Block", () => setBlocked(member.user_id, !blocked)),
        admin ? action(member.is_admin ? "Demote" : "Promote", () => moderate(roomId, member.is_admin ? "demote" : "promote", { user_id: member.user_id })) : null,
        admin ? action("Kick", () => kick(roomId, member)) : null,
        admin ? action("Ban", () => ban(roomId, member), "danger") : null));
  }));
}

async function setBlocked(userId, block) {
  if (!(await ask(`chat/users/block/${encodeURIComponent(userId)}`, block ? {} : { unblock: true }))) return;
  if (block) state.blocked.add(userId); else state.blocked.delete(userId);
  toast(block ? `You blocked ${nameOf(userId)}` : `You unblocked ${nameOf(userId)}`,
    block ? "They cannot message you directly, and their @mentions do not notify you." : "", "info");
  renderMembersDialog();
}

async function moderate(roomId, action, extra = {}) {
  const reply = await ask(`chat/admin/rooms/${roomId}/moderate`, { action, ...extra });
  if (reply && extra.user_id) loadMembers(roomId);
  return reply;
}

async function kick(roomId, member) {
  if (await confirmDialog(`Remove ${member.name}?`, "They can join again (a private room needs a new invitation).", "Remove")) {
    moderate(roomId, "kick", { user_id: member.user_id });
  }
}

async function ban(roomId, member) {
  if (await confirmDialog(`Ban ${member.name}?`, "They leave the room and cannot join it again until unbanned.", "Ban")) {
    if (await ask(`chat/admin/users/${encodeURIComponent(member.user_id)}/ban`, { room_id: roomId })) loadMembers(roomId);
  }
}

/** Fills the settings dialog; `all` false only updates the buttons (not what is being typed). */
function renderSettings(all = true) {
  const roomId = state.currentRoomId;
  const room = state.rooms.get(roomId);
  if (!room) return;
  const info = state.info.get(roomId) || {};
  $("#settings-title").textContent = `Settings of #${roomTitle(room)}`;
  if (all) {
    $("#settings-name").value = info.name ?? room.name;
    $("#settings-description").value = info.description ?? room.description ?? "";
    $("#settings-slow").value = info.slow_mode_seconds || 0;
    $("#invite-form").hidden = room.type !== "private";
  }
  $("#settings-lock").textContent = info.locked ? "Unlock room" : "Lock room";
  $("#settings-archive").textContent = isArchived(roomId) ? "Unarchive room" : "Archive room";
}

async function toggleArchive() {
  const roomId = state.currentRoomId;
  const room = state.rooms.get(roomId);
  if (isArchived(roomId)) return moderate(roomId, "unarchive");
  if (await confirmDialog(`Archive #${roomTitle(room)}?`, "Nobody can post, react or join any more; everyone can still read it.", "Archive")) {
    moderate(roomId, "archive");
  }
}

// MARK: 12. Sign-in and wiring

function signInError(text) {
  $("#sign-in-error").textContent = text;
  $("#sign-in-error").hidden = !text;
}

let bannerTimer = null;
/** The banner under the top bar while the socket is not open; it counts down to the next attempt. */
function showBanner(text) {
  clearInterval(bannerTimer);
  const banner = $("#banner");
  if (!text) {
    banner.hidden = true;
    return;
  }
  const tick = () => {
    const retryAt = state.connection?.retryAt;
    const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : 0;
    $("#banner-text").textContent = retryAt && seconds > 0
      ? `${text} Reconnecting in ${seconds} s; what you type is kept.` : `${text} Reconnecting…`;
    $("#banner-retry").hidden = !retryAt;
  };
  banner.hidden = false;
  banner.className = "down";
  tick();
  bannerTimer = setInterval(tick, 500);
}

function signIn(token) {
  const claims = tokenClaims(token);
  if (!claims || !claims.sub) {
    signInError("That does not look like a token (three base64url parts separated by dots).");
    return;
  }
  if (claims.exp && claims.exp * 1000 < Date.now()) {
    signInError("This token has expired. Mint a new one: chat-engine token --dev --user NAME.");
    return;
  }
  state.connection?.close();
  state.token = token;
  state.me = { id: claims.sub, name: claims.name || claims.sub };
  state.everOpened = false;
  $("#sign-in").disabled = true;
  signInError("");
  state.connection = new Connection(token, {
    onEvent: handleEvent,
    onConnecting: () => {
      if (state.everOpened) showBanner("Connection lost.");
    },
    onOpen: () => {
      const first = !state.everOpened;
      state.everOpened = true;
      showBanner(null);
      sessionStorage.setItem("chat-token", token);
      $("#sign-in").disabled = false;
      $("#sign-in-view").hidden = true;
      $("#chat-view").hidden = false;
      renderMe();
      announcePresence();
      loadBlocked();
      // A first connect needs no messages (the room is opened with history); a reconnect gets what it missed.
      sync(first ? 1 : 50).then((ok) => {
        if (!ok || !first) return;
        const roomId = rememberedRoom();
        if (roomId && state.rooms.has(roomId)) openRoom(roomId);
        else interactive();
      });
      if (!first) toast("Reconnected", "", "info");
    },
    onClosed: ({ opened, status, code, reason, delay }) => {
      const host = location.host;
      if (status === 401) {
        const text = state.everOpened
          ? "The server no longer accepts your token (it expired, or the server's secret changed). Sign in with a new one."
          : "The server refused this token: it is forged, expired, or signed with another secret. Mint a new one with chat-engine token.";
        signOut(false);
        signInError(text);
        return "stop";
      }
      const why = status === 0 ? `Cannot reach the server at ${host}.`
        : status === 429 ? "Too many open connections for this user: close another tab."
          : status === 503 ? "The server is full." : code === 1008 || code === 1013 ? `The server closed the connection (${reason || code}).`
            : "Connection lost.";
      if (!state.everOpened) {
        const seconds = Math.round(delay / 1000) || 1;
        signInError(status === 0
          ? `Cannot reach the server at ${host}: is chat-engine running (scripts/run)? Trying again in ${seconds} s.`
          : `${why} Trying again in ${seconds} s.`);
        $("#sign-in").disabled = false;
        return "retry";
      }
      showBanner(why);
      if (opened) typingSince = 0;
      return "retry";
    },
  });
}

function signOut(sayOffline = true) {
  if (sayOffline && state.connection?.isOpen) state.connection.request("chat/presence/offline").catch(() => {});
  clearInterval(presenceTimer);
  showBanner(null);
  const connection = state.connection;
  state.connection = null;
  if (connection) setTimeout(() => connection.close(), sayOffline ? 200 : 0);
  sessionStorage.removeItem("chat-token");
  Object.assign(state, {
    currentRoomId: null, thread: null, editing: null, everOpened: false, rooms: new Map(), messages: new Map(),
    drafts: new Map(), divider: new Map(), notices: new Map(), images: new Map(), invites: new Map(), blocked: new Set(),
    loaded: new Set(), changeSeq: new Map(), members: new Map(), info: new Map(), found: null, isAdmin: false,
  });
  renderInvites();
  $("#composer-input").value = "";
  $("#sign-in").disabled = false;
  $("#chat-view").hidden = true;
  $("#sign-in-view").hidden = false;
  document.title = APP_TITLE;
}

function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
}

/** Long press (touch) or right click on a message shows its actions; a tap elsewhere hides them. */
function wireMessageActions(list) {
  const show = (node) => {
    state.actionsFor = node.dataset.key;
    applyActionState(list);
  };
  list.addEventListener("contextmenu", (event) => {
    const node = event.target.closest(".message:not(.system)");
    if (!node || event.target.closest("a, img, textarea") || String(getSelection())) return;
    event.preventDefault();
    show(node);
  });
  let pressTimer = null;
  list.addEventListener("touchstart", (event) => {
    const node = event.target.closest(".message:not(.system)");
    if (!node) return;
    pressTimer = setTimeout(() => show(node), 500);
  }, { passive: true });
  for (const type of ["touchend", "touchmove", "touchcancel"]) list.addEventListener(type, () => clearTimeout(pressTimer), { passive: true });
}

function wire() {
  $("#sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("#token-input").value.trim());
  });
  $("#sign-out").addEventListener("click", () => signOut());
  $("#toggle-sidebar").addEventListener("click", () => openSidebar(!document.body.classList.contains("sidebar-open")));
  $("#my-status").addEventListener("change", announcePresence);
  $("#banner-retry").addEventListener("click", () => state.connection?.retryNow());

  // The + dialog: create (the form is reset after use) or join.
  const addRoom = $("#add-room-dialog");
  $("#open-add-room").addEventListener("click", () => {
    renderPublicRooms();
    addRoom.showModal();
    $("#new-room-name").focus();
    if (state.connection?.isOpen) loadDirectory();
  });
  for (const close of document.querySelectorAll(".close-dialog")) close.addEventListener("click", () => close.closest("dialog").close());
  $("#more-public-rooms").addEventListener("click", () => loadDirectory(true));
  $("#dm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const userId = $("#dm-user").value.trim();
    if (userId && (await sendDirect(userId, $("#dm-text").value))) {
      event.target.reset();
      addRoom.close();
    }
  });
  $("#create-room-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("#new-room-name").value.trim();
    if (!name) return;
    if (await createRoom(name, $("#new-room-private").checked)) {
      event.target.reset();
      addRoom.close();
    }
  });
  $("#join-room-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const roomId = $("#join-room-id").value.trim();
    if (!roomId) return;
    if (await joinRoom(roomId)) {
      event.target.reset();
      addRoom.close();
    }
  });
  $("#leave-room").addEventListener("click", confirmLeave);
  $("#open-search").addEventListener("click", () => {
    $("#search-dialog").showModal();
    $("#search-input").select();
  });
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("#search-input").value.trim();
    if (query) search(query);
  });
  $("#show-members").addEventListener("click", () => {
    renderMembersDialog();
    $("#members-dialog").showModal();
    loadMembers(state.currentRoomId);
  });
  $("#room-settings").addEventListener("click", () => {
    renderSettings();
    $("#settings-dialog").showModal();
    $("#settings-name").focus();
  });
  const settingsForm = (id, action, fields) => $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    moderate(state.currentRoomId, action, fields());
  });
  settingsForm("#rename-form", "rename", () => ({ name: $("#settings-name").value.trim() }));
  settingsForm("#describe-form", "describe", () => ({ description: $("#settings-description").value.trim() }));
  settingsForm("#slow-form", "slow_mode", () => ({ seconds: Number($("#settings-slow").value) }));
  $("#invite-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const userId = $("#invite-user").value.trim();
    if (userId && (await ask(`chat/rooms/invite/${state.currentRoomId}`, { user_id: userId }))) {
      toast(`Invited ${nameOf(userId)}`, "", "info");
      event.target.reset();
    }
  });
  $("#settings-lock").addEventListener("click", () => moderate(state.currentRoomId, state.info.get(state.currentRoomId)?.locked ? "unlock" : "lock"));
  $("#settings-archive").addEventListener("click", toggleArchive);
  $("#copy-room-id").addEventListener("click", async () => {
    const roomId = state.currentRoomId;
    try {
      await navigator.clipboard.writeText(roomId);
      toast("Room id copied", roomId, "info");
    } catch {
      toast("Room id", roomId, "info");
    }
  });
  $("#load-older").addEventListener("click", loadOlder);

  const scroller = $("#messages-scroll");
  scroller.addEventListener("scroll", () => scroll.onScroll(), { passive: true });
  const resized = new ResizeObserver(() => scroll.onResize());
  resized.observe($("#messages"));
  resized.observe(scroller);
  $("#jump-latest").addEventListener("click", () => { scroll.toBottom(); markRead(); });
  wireMessageActions($("#messages"));
  wireMessageActions($("#thread-messages"));
  document.addEventListener("click", (event) => {
    if (state.actionsFor && !event.target.closest(".show-actions")) {
      state.actionsFor = null;
      applyActionState($("#messages"));
      applyActionState($("#thread-messages"));
    }
    if (state.pickerFor && !event.target.closest(".picker, .actions")) {
      state.pickerFor = null;
      rerender();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (state.pickerFor) { state.pickerFor = null; rerender(); } else if (document.body.classList.contains("sidebar-open")) closeSidebar();
  });

  const input = $("#composer-input");
  const submit = async () => {
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    autoGrow(input);
    if (!(await sendMessage(text)) && !input.value) {
      input.value = text; // keep the text on failure
      autoGrow(input);
    }
  };
  $("#composer").addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    if (event.key === "Escape" && state.editing) stopEditing(true);
  });
  input.addEventListener("input", () => { autoGrow(input); typingActivity(); });
  $("#composer-cancel").addEventListener("click", () => stopEditing(true));
  $("#file-input").addEventListener("change", (event) => { if (event.target.files[0]) uploadFile(event.target.files[0]); });

  const threadInput = $("#thread-input");
  const submitThread = async () => {
    const text = threadInput.value;
    if (!text.trim()) return;
    threadInput.value = "";
    if (!(await sendThreadReply(text)) && !threadInput.value) threadInput.value = text;
  };
  $("#thread-composer").addEventListener("submit", (event) => { event.preventDefault(); submitThread(); });
  threadInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submitThread(); }
    if (event.key === "Escape") closeThread();
  });
  $("#close-thread").addEventListener("click", closeThread);

  document.addEventListener("visibilitychange", () => { if (!document.hidden && scroll.stick) markRead(); });
  setInterval(() => { renderTyping(); renderNotice(); }, 1000); // expire typists and count notices down
  window.addEventListener("pagehide", () => state.connection?.request("chat/presence/offline").catch(() => {}));

  // A token in the fragment (#token=…) signs in directly; it never reaches the server's logs.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) history.replaceState(null, "", location.pathname + location.search);
  const saved = fromHash || sessionStorage.getItem("chat-token");
  if (saved) {
    $("#token-input").value = saved;
    signIn(saved);
  }
}

wire();
