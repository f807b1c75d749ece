// chat-engine web client. Plain JavaScript, no build step, no dependencies.
//
// The page speaks the engine's own protocol (docs/PROTOCOL.md) through the WebSocket gateway
// (docs/WEB.md): it sends {"topic": "chat/…", "payload": {…}} frames and receives whatever the engine
// publishes to chat/user/{me}/…, wrapped the same way. Sections, in order:
//   1. helpers        2. toasts           3. connection (requests, replies, events)
//   4. state          5. rendering        6. rooms         7. messages and threads
//   8. typing and presence                9. files         10. sign-in and wiring

// MARK: 1. Helpers

const $ = (selector) => document.querySelector(selector);

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

function formatTime(seconds) {
  const date = new Date(seconds * 1000);
  const today = new Date();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return date.toDateString() === today.toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
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

// MARK: 2. Toasts

/** What each error code means to a person (PROTOCOL.md §1.5). */
const ERROR_TITLES = {
  unauthorized: "Not signed in — the token was refused or has expired",
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
  internal: "Server error — please try again",
  timeout: "No answer from the server",
  disconnected: "Not connected",
};

function toast(title, detail = "", kind = "error", code = "") {
  const node = el("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", dataset: { code } },
    el("strong", { text: title }), detail ? el("span", { text: detail }) : null,
    code ? el("div", {}, el("code", { text: code })) : null);
  $("#toasts").append(node);
  setTimeout(() => node.remove(), kind === "error" ? 7000 : 4000);
  while ($("#toasts").children.length > 5) $("#toasts").firstElementChild.remove();
}

function showError(error) {
  const code = error?.code || "internal";
  let detail = error?.message || "";
  if (code === "rate_limited" && error.retry_after != null) {
    detail = `${detail} — try again in ${Math.ceil(error.retry_after)} s`;
  }
  toast(ERROR_TITLES[code] || code, detail, "error", code);
}

// MARK: 3. Connection

/** One WebSocket to /ws, with request/reply matching by request_id and reconnection. */
class Connection {
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers; // { onEvent(topic, payload), onState(state), onRefused() }
    this.pending = new Map();
    this.counter = 0;
    this.tab = Math.random().toString(36).slice(2, 8); // request ids unique across tabs of one user
    this.everOpened = false;
    this.closedByUser = false;
    this.backoff = 500;
    this.open();
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.socket = socket;
    this.handlers.onState("connecting");
    socket.onopen = () => {
      this.everOpened = true;
      this.backoff = 500;
      this.handlers.onState("open");
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      for (const [, request] of this.pending) request.reject({ code: "disconnected", message: "the connection closed" });
      this.pending.clear();
      this.handlers.onState("closed");
      if (this.closedByUser) return;
      if (!this.everOpened) {
        this.handlers.onRefused();
        return;
      }
      if (event.code === 1008 || event.code === 1013) {
        toast("Disconnected by the server", event.reason || "the page fell behind", "error", String(event.code));
      }
      setTimeout(() => this.open(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10000);
    };
  }

  close() {
    this.closedByUser = true;
    this.socket.close(1000, "sign out");
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
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
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
  rooms: new Map(), // id → { id, name, type, member_count, unread, is_member }
  currentRoomId: null,
  messages: new Map(), // room id → Map(message id → message)
  nextBefore: new Map(), // room id → seq for "load older", or null
  members: new Map(), // room id → [{ user_id, name, status }]
  presence: new Map(), // user id → status
  typing: new Map(), // room id → Map(user id → { name, expires })
  thread: null, // root message id of the open thread
  editing: null, // message id being edited
  files: new Map(), // file id → object URL once downloaded
};

function roomMessages(roomId) {
  if (!state.messages.has(roomId)) state.messages.set(roomId, new Map());
  return state.messages.get(roomId);
}

function storeMessage(message) {
  roomMessages(message.room_id).set(message.id, message);
}

// MARK: 5. Rendering

function renderRooms() {
  const list = $("#room-list");
  list.replaceChildren();
  const rooms = [...state.rooms.values()].sort((a, b) => (b.is_member - a.is_member) || a.name.localeCompare(b.name));
  for (const room of rooms) {
    const item = el("li", {
      class: room.id === state.currentRoomId ? "active" : "",
      dataset: { roomId: room.id },
      title: room.id,
      onclick: () => (room.is_member ? openRoom(room.id) : null),
    },
    el("span", { class: "room-label", text: room.type === "direct" ? `@ ${room.name}` : `# ${room.name}` }),
    room.type !== "public" ? el("span", { class: "room-kind", text: room.type }) : null,
    room.is_member && room.unread > 0 ? el("span", { class: "badge unread", text: String(room.unread) }) : null,
    room.is_member ? null : el("button", { type: "button", text: "Join", onclick: (e) => { e.stopPropagation(); joinRoom(room.id); } }));
    list.append(item);
  }
}

function renderRoomHead() {
  const room = state.rooms.get(state.currentRoomId);
  $("#no-room").hidden = !!room;
  $("#room-view").hidden = !room;
  if (!room) return;
  $("#room-name").textContent = room.type === "direct" ? `@ ${room.name}` : `# ${room.name}`;
  $("#room-id").textContent = room.id;
  const members = state.members.get(room.id) || [];
  $("#member-list").replaceChildren(...members.map((member) => {
    const status = state.presence.get(member.user_id) || member.status || "offline";
    return el("li", { dataset: { userId: member.user_id }, title: `${member.user_id}: ${status}` },
      el("span", { class: `dot ${status}` }), el("span", { text: member.name }));
  }));
}

function statusOf(userId) {
  if (state.me && userId === state.me.id) return $("#my-status").value;
  return state.presence.get(userId) || "offline";
}

/** One message; `inThread` drops the thread link and quote. */
function renderMessage(message, inThread = false) {
  if (message.type === "system") {
    return el("li", { class: "message system", dataset: { id: message.id, seq: message.seq } },
      el("span", { class: "content", text: message.content }));
  }
  const mine = state.me && message.sender_id === state.me.id;
  const classes = ["message", mine ? "mine" : "", message.deleted ? "deleted" : ""].join(" ");
  const quote = !inThread && message.reply_to && !message.thread_id
    ? roomMessages(message.room_id).get(message.reply_to) : null;
  return el("li", { class: classes, dataset: { id: message.id, seq: message.seq, sender: message.sender_id } },
    el("div", { class: "meta" },
      el("span", { class: `dot ${statusOf(message.sender_id)}`, title: statusOf(message.sender_id) }),
      el("span", { class: "sender", text: message.sender_name }),
      el("time", { text: formatTime(message.timestamp), title: new Date(message.timestamp * 1000).toString() }),
      message.edited ? el("span", { class: "edited", text: "(edited)" }) : null,
      message.flagged ? el("span", { class: "flag", text: "⚑ link flagged", title: "links to a URL shortener" }) : null),
    quote ? el("div", { class: "quote", text: `↪ ${quote.sender_name}: ${quote.content.slice(0, 80)}` }) : null,
    el("div", { class: "content", text: message.deleted ? "message deleted" : message.content }),
    message.file && !message.deleted ? renderFile(message.file) : null,
    message.deleted ? null : renderReactions(message),
    !inThread && !message.thread_id && message.reply_count > 0
      ? el("button", { type: "button", class: "thread-link", text: `${message.reply_count} repl${message.reply_count === 1 ? "y" : "ies"}`, onclick: () => openThread(message.id) })
      : null,
    message.deleted ? null : renderActions(message, mine, inThread));
}

function renderReactions(message) {
  const entries = Object.entries(message.reactions || {}).filter(([, users]) => users.length > 0);
  if (entries.length === 0) return null;
  return el("div", { class: "reactions" }, entries.map(([emoji, users]) => {
    const mine = users.includes(state.me.id);
    return el("button", {
      type: "button", class: `reaction ${mine ? "mine" : ""}`, title: users.join(", "), dataset: { emoji },
      text: `${emoji} ${users.length}`, onclick: () => react(message.id, emoji, mine),
    });
  }));
}

const QUICK_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "👀"];

function renderActions(message, mine, inThread) {
  const picker = el("span", { class: "picker", hidden: true },
    QUICK_EMOJI.map((emoji) => el("button", { type: "button", text: emoji, onclick: () => react(message.id, emoji, false) })));
  const actions = el("div", { class: "actions" },
    el("button", { type: "button", text: "☺+", title: "React", class: "react", onclick: () => { picker.hidden = !picker.hidden; } }),
    picker,
    inThread ? null : el("button", { type: "button", text: "Reply", class: "reply", onclick: () => openThread(message.thread_id || message.id) }),
    mine ? el("button", { type: "button", text: "Edit", class: "edit", onclick: () => startEditing(message) }) : null,
    mine ? el("button", { type: "button", text: "Delete", class: "delete", onclick: (event) => confirmDelete(event.target, message) }) : null);
  return actions;
}

function renderMessages({ keepOffset = false } = {}) {
  const roomId = state.currentRoomId;
  const scroller = $("#messages-scroll");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  const fromBottom = scroller.scrollHeight - scroller.scrollTop;
  const messages = [...roomMessages(roomId).values()].filter((m) => !m.thread_id).sort((a, b) => a.seq - b.seq);
  $("#messages").replaceChildren(...messages.map((m) => renderMessage(m)));
  $("#load-older").hidden = state.nextBefore.get(roomId) == null;
  if (keepOffset) scroller.scrollTop = scroller.scrollHeight - fromBottom;
  else if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  if (state.thread) renderThread();
}

function renderTyping() {
  const typists = state.typing.get(state.currentRoomId);
  const now = Date.now();
  const names = typists ? [...typists.values()].filter((t) => t.expires > now).map((t) => t.name) : [];
  $("#typing").textContent = names.length === 0 ? ""
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
}

function setConnectionState(value) {
  const node = $("#connection");
  node.className = `connection ${value}`;
  node.title = value;
}

// MARK: 6. Rooms

async function loadRooms() {
  const rooms = [];
  let cursor = null;
  do {
    const reply = await ask("chat/rooms/list", cursor ? { limit: 100, cursor } : { limit: 100 });
    if (!reply) return;
    rooms.push(...reply.rooms);
    cursor = reply.next_cursor;
  } while (cursor);
  state.rooms = new Map(rooms.map((room) => [room.id, room]));
  if (state.currentRoomId && !state.rooms.get(state.currentRoomId)?.is_member) state.currentRoomId = null;
  renderRooms();
  renderRoomHead();
}

async function createRoom(name, isPrivate) {
  const reply = await ask("chat/rooms/create", { name, type: isPrivate ? "private" : "public" });
  if (!reply) return;
  await loadRooms();
  openRoom(reply.room_id);
}

async function joinRoom(roomId) {
  const reply = await ask(`chat/rooms/join/${roomId}`);
  if (!reply) return;
  await loadRooms();
  openRoom(roomId);
}

async function leaveRoom() {
  const roomId = state.currentRoomId;
  if (!roomId || !(await ask(`chat/rooms/leave/${roomId}`))) return;
  state.currentRoomId = null;
  state.messages.delete(roomId);
  closeThread();
  await loadRooms();
}

async function openRoom(roomId) {
  state.currentRoomId = roomId;
  document.body.classList.remove("sidebar-open");
  closeThread();
  stopEditing();
  renderRooms();
  renderRoomHead();
  $("#messages").replaceChildren();
  state.messages.set(roomId, new Map());
  const [history] = await Promise.all([ask(`chat/history/${roomId}`, { limit: 50 }), loadMembers(roomId)]);
  if (state.currentRoomId !== roomId) return;
  if (history) {
    history.messages.forEach(storeMessage);
    state.nextBefore.set(roomId, history.has_more ? history.next_before : null);
  }
  renderMessages();
  $("#messages-scroll").scrollTop = $("#messages-scroll").scrollHeight;
  markRead();
}

async function loadOlder() {
  const roomId = state.currentRoomId;
  const before = state.nextBefore.get(roomId);
  if (before == null) return;
  const reply = await ask(`chat/history/${roomId}`, { limit: 50, before });
  if (!reply || state.currentRoomId !== roomId) return;
  reply.messages.forEach(storeMessage);
  state.nextBefore.set(roomId, reply.has_more ? reply.next_before : null);
  renderMessages({ keepOffset: true });
}

async function loadMembers(roomId) {
  const reply = await ask(`chat/rooms/${roomId}/info`);
  if (!reply) return;
  state.members.set(roomId, reply.members);
  for (const member of reply.members) {
    if (member.user_id !== state.me.id) state.presence.set(member.user_id, member.status);
  }
  if (state.rooms.has(roomId)) state.rooms.get(roomId).member_count = reply.room.member_count;
  if (roomId === state.currentRoomId) renderRoomHead();
}

let readTimer = null;
/** Marks the open room read up to its newest message (debounced). */
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(async () => {
    const roomId = state.currentRoomId;
    if (!roomId || document.hidden) return;
    const seqs = [...roomMessages(roomId).values()].map((m) => m.seq);
    if (seqs.length === 0) return;
    const reply = await ask(`chat/read/${roomId}`, { seq: Math.max(...seqs) });
    if (reply && state.rooms.has(roomId)) {
      state.rooms.get(roomId).unread = reply.unread;
      renderRooms();
    }
  }, 300);
}

// MARK: 7. Messages and threads

async function sendMessage(text) {
  const roomId = state.currentRoomId;
  if (!roomId || !text.trim()) return false;
  if (state.editing) {
    const id = state.editing;
    const reply = await ask(`chat/message/${id}/edit`, { content: text });
    if (reply) stopEditing();
    return !!reply;
  }
  typingStopped();
  return !!(await ask(`chat/message/${roomId}`, { content: text }));
}

async function react(messageId, emoji, remove) {
  await ask(`chat/message/${messageId}/react`, { emoji, remove });
}

function startEditing(message) {
  state.editing = message.id;
  $("#composer-mode").hidden = false;
  $("#composer-mode-text").textContent = "Editing your message — Esc to cancel";
  $("#composer-input").value = message.content;
  $("#composer-input").focus();
}

function stopEditing() {
  state.editing = null;
  $("#composer-mode").hidden = true;
  $("#composer-input").value = "";
}

function confirmDelete(button, message) {
  if (button.dataset.armed) {
    ask(`chat/message/${message.id}/delete`);
    return;
  }
  button.dataset.armed = "1";
  button.textContent = "Confirm delete";
  setTimeout(() => { delete button.dataset.armed; button.textContent = "Delete"; }, 3000);
}

async function openThread(rootId) {
  state.thread = rootId;
  $("#thread-pane").hidden = false;
  const roomId = rootId.slice(0, rootId.lastIndexOf(":"));
  const reply = await ask(`chat/history/${roomId}`, { thread_id: rootId, limit: 100 });
  if (reply) reply.messages.forEach(storeMessage);
  renderThread();
  $("#thread-input").focus();
}

function closeThread() {
  state.thread = null;
  $("#thread-pane").hidden = true;
}

function renderThread() {
  const rootId = state.thread;
  const roomId = rootId.slice(0, rootId.lastIndexOf(":"));
  const all = [...roomMessages(roomId).values()];
  const items = all.filter((m) => m.id === rootId || m.thread_id === rootId).sort((a, b) => a.seq - b.seq);
  $("#thread-messages").replaceChildren(...items.map((m) => renderMessage(m, true)));
  $("#thread-messages").scrollTop = $("#thread-messages").scrollHeight;
}

async function sendThreadReply(text) {
  if (!state.thread || !text.trim()) return false;
  return !!(await ask(`chat/message/${state.thread}/reply`, { content: text }));
}

/** Everything the engine publishes to chat/user/{me}/messages (PROTOCOL.md §3.1). */
function handleEvent(topic, event) {
  if (topic.endsWith("/session")) {
    state.me = { id: event.user_id, name: event.name };
    $("#me-name").textContent = event.name;
    return;
  }
  if (topic.endsWith("/notifications")) {
    if (event.type === "private_message" || event.type === "mention") {
      toast(event.type === "mention" ? "You were mentioned" : "New private message",
        `${event.message?.sender_name ?? ""}: ${event.message?.content ?? ""}`, "info");
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
      if (!state.typing.has(event.room_id)) state.typing.set(event.room_id, new Map());
      const typists = state.typing.get(event.room_id);
      if (event.type === "typing_start") typists.set(event.user_id, { name: event.name, expires: Date.now() + 12000 });
      else typists.delete(event.user_id);
      renderTyping();
      break;
    }
    case "user_status":
      state.presence.set(event.user_id, event.status);
      renderRoomHead();
      if (state.currentRoomId) renderMessages();
      break;
    case "member_joined": case "member_left":
      if (event.user_id === state.me.id && event.type === "member_left" && event.reason !== "left") {
        toast(`You were ${event.reason} from a room`, state.rooms.get(event.room_id)?.name ?? event.room_id);
        if (event.room_id === state.currentRoomId) state.currentRoomId = null;
        loadRooms();
      } else if (event.room_id === state.currentRoomId) {
        loadMembers(event.room_id);
      }
      if (state.rooms.has(event.room_id)) state.rooms.get(event.room_id).member_count = event.member_count;
      break;
    case "room_updated":
      toast(`Room ${event.action.replace("_", " ")}`, `by ${event.by}`, "info");
      if (event.action === "clear_history" && event.room_id === state.currentRoomId) openRoom(event.room_id);
      break;
    case "user_muted":
      if (event.user_id === state.me.id) toast(event.muted ? "You were muted" : "You were unmuted", "", "info");
      break;
    case "user_banned":
      if (event.user_id === state.me.id) { toast(event.banned ? "You were banned" : "You were unbanned", ""); loadRooms(); }
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
  if (message.room_id === state.currentRoomId) {
    renderMessages();
    if (!document.hidden) markRead();
  } else if (state.rooms.has(message.room_id)) {
    if (message.sender_id !== state.me.id) state.rooms.get(message.room_id).unread += 1;
    renderRooms();
  } else {
    loadRooms(); // e.g. a first private message opened a direct room
  }
}

// MARK: 8. Typing and presence

let typingSince = 0;
let typingIdle = null;

/** Sends typing/start at most every 5 s while the user types, and typing/stop after 4 s idle. */
function typingActivity() {
  const roomId = state.currentRoomId;
  if (!roomId || state.editing) return;
  if (Date.now() - typingSince > 5000) {
    typingSince = Date.now();
    state.connection.request(`chat/typing/${roomId}/start`).catch(() => {});
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(typingStopped, 4000, roomId);
}

function typingStopped(roomId = state.currentRoomId) {
  clearTimeout(typingIdle);
  if (typingSince && roomId) state.connection.request(`chat/typing/${roomId}/stop`).catch(() => {});
  typingSince = 0;
}

let presenceTimer = null;
/** Announces the chosen status now and every 4 minutes (the engine's TTL is 300 s). */
function announcePresence() {
  clearInterval(presenceTimer);
  const send = () => state.connection?.request(`chat/presence/${$("#my-status").value}`).catch(() => {});
  send();
  presenceTimer = setInterval(send, 240000);
}

// MARK: 9. Files

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
    await state.connection.request(`chat/file/share/${roomId}`, { file_id: reply.file_id, caption: file.name });
  } catch (error) {
    showError(error);
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

function renderFile(file) {
  const box = el("div", { class: "file", dataset: { fileId: file.file_id } });
  const download = el("button", {
    type: "button", class: "download", text: `⬇ ${file.name} (${formatSize(file.size)})`,
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
  });
  box.append(download);
  if (file.mime.startsWith("image/") && file.size <= 4 * 1024 * 1024) {
    const image = el("img", { alt: file.name });
    fetchFile(file).then((url) => { image.src = url; }).catch(() => image.remove());
    box.prepend(image);
  }
  return box;
}

// MARK: 10. Sign-in and wiring

function signIn(token) {
  const claims = tokenClaims(token);
  if (!claims || !claims.sub) {
    $("#sign-in-error").textContent = "That does not look like a token (three base64url parts separated by dots).";
    $("#sign-in-error").hidden = false;
    return;
  }
  state.token = token;
  state.me = { id: claims.sub, name: claims.name || claims.sub };
  $("#me-name").textContent = state.me.name;
  state.connection = new Connection(token, {
    onEvent: handleEvent,
    onState: (value) => {
      setConnectionState(value);
      if (value === "open") {
        sessionStorage.setItem("chat-token", token);
        $("#sign-in-view").hidden = true;
        $("#chat-view").hidden = false;
        announcePresence();
        loadRooms().then(() => { if (state.currentRoomId) openRoom(state.currentRoomId); });
      }
    },
    onRefused: () => {
      sessionStorage.removeItem("chat-token");
      signOut(false);
      $("#sign-in-error").textContent = "The server refused the token (invalid or expired), or is not reachable.";
      $("#sign-in-error").hidden = false;
    },
  });
}

function signOut(sayOffline = true) {
  if (sayOffline && state.connection) state.connection.request("chat/presence/offline").catch(() => {});
  clearInterval(presenceTimer);
  const connection = state.connection;
  state.connection = null;
  if (connection) setTimeout(() => connection.close(), sayOffline ? 200 : 0);
  sessionStorage.removeItem("chat-token");
  Object.assign(state, { currentRoomId: null, thread: null, editing: null, rooms: new Map(), messages: new Map() });
  $("#chat-view").hidden = true;
  $("#sign-in-view").hidden = false;
}

function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
}

function wire() {
  $("#sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("#sign-in-error").hidden = true;
    signIn($("#token-input").value.trim());
  });
  $("#sign-out").addEventListener("click", () => signOut());
  $("#toggle-sidebar").addEventListener("click", () => document.body.classList.toggle("sidebar-open"));
  $("#refresh-rooms").addEventListener("click", loadRooms);
  $("#my-status").addEventListener("change", announcePresence);
  $("#create-room-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("#new-room-name").value.trim();
    if (!name) return;
    $("#new-room-name").value = "";
    createRoom(name, $("#new-room-private").checked);
  });
  $("#join-room-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const roomId = $("#join-room-id").value.trim();
    if (!roomId) return;
    $("#join-room-id").value = "";
    joinRoom(roomId);
  });
  $("#leave-room").addEventListener("click", leaveRoom);
  $("#load-older").addEventListener("click", loadOlder);

  const input = $("#composer-input");
  const submit = async () => {
    const text = input.value;
    input.value = "";
    autoGrow(input);
    if (!(await sendMessage(text)) && !input.value) input.value = text; // keep the text on failure
  };
  $("#composer").addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    if (event.key === "Escape" && state.editing) stopEditing();
  });
  input.addEventListener("input", () => { autoGrow(input); typingActivity(); });
  $("#composer-cancel").addEventListener("click", stopEditing);
  $("#file-input").addEventListener("change", (event) => { if (event.target.files[0]) uploadFile(event.target.files[0]); });

  const threadInput = $("#thread-input");
  const submitThread = async () => {
    const text = threadInput.value;
    threadInput.value = "";
    if (!(await sendThreadReply(text)) && !threadInput.value) threadInput.value = text;
  };
  $("#thread-composer").addEventListener("submit", (event) => { event.preventDefault(); submitThread(); });
  threadInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submitThread(); }
  });
  $("#close-thread").addEventListener("click", closeThread);

  document.addEventListener("visibilitychange", () => { if (!document.hidden) markRead(); });
  setInterval(renderTyping, 2000); // expire typists whose typing_stop never came
  window.addEventListener("pagehide", () => state.connection?.request("chat/presence/offline").catch(() => {}));

  // A token in the fragment (#token=…) signs in directly; it never reaches the server's logs.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) history.replaceState(null, "", location.pathname);
  const saved = fromHash || sessionStorage.getItem("chat-token");
  if (saved) {
    $("#token-input").value = saved;
    signIn(saved);
  }
}

wire();
