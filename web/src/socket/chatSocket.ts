// The real-time connection: one WebSocket for every room. It reconnects with exponential
// back-off, rejoins each open room with `afterSeq` = the last seq it delivered (so nothing sent
// meanwhile is missed), sends what waits in the outbox with its original clientId (the server
// stores each once), and never delivers the same message id twice.
import type { ChatMessage, FriendRequest, MessageType, UserSummary } from '../api/types';
import { Outbox, type OutboxItem } from './outbox';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface Ack {
  clientId: string;
  chatroomId: number;
  id: number;
  seq: number;
}

export type SocketEvent =
  | { kind: 'status'; status: SocketStatus }
  | { kind: 'message'; message: ChatMessage }
  | { kind: 'ack'; ack: Ack }
  | { kind: 'memberAdded'; chatroomId: number; userId: number }
  /** A member left a group I am in (API.md §7 `exitRoom`). */
  | { kind: 'memberLeft'; chatroomId: number; userId: number }
  /** I left a room (here, on another device, or over HTTP). */
  | { kind: 'left'; chatroomId: number }
  | { kind: 'friendRequest'; request: FriendRequest }
  | { kind: 'friendAdded'; friend: UserSummary }
  | { kind: 'friendRemoved'; userId: number }
  /** The outbox changed (something queued, stored, refused). */
  | { kind: 'outbox' }
  | { kind: 'joined'; chatroomId: number; lastSeq: number }
  | { kind: 'error'; code: string; message: string; chatroomId?: number; clientId?: string };

/** The subset of the browser's WebSocket this client uses (the `ws` package fits it in tests). */
export interface SocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface ChatSocketOptions {
  /** The socket URL, asked anew at every (re)connect so a renewed token is used. */
  url: () => string | null;
  create?: (url: string) => SocketLike;
  /** First retry delay and its ceiling, in ms. */
  backoff?: { initial: number; max: number };
  /**
   * Called after three connects in a row failed: the token may be dead (the upgrade's 401 is
   * invisible to a browser's WebSocket), so the app checks it over HTTP.
   */
  onRepeatedFailure?: () => void;
}

const OPEN = 1;
/** Refusals that say "not now" rather than "no": the message is sent again a little later. */
const TRANSIENT = new Set(['server_busy', 'shutting_down', 'rate_limited']);

/** The user events of API.md §7 (not tied to a joined room), or null for anything else. */
function userEvent(name: string | undefined, data: Record<string, unknown>): SocketEvent | null {
  if (name === 'friendRequest' && data.request) return { kind: 'friendRequest', request: data.request as FriendRequest };
  if (name === 'friendAdded' && data.friend) return { kind: 'friendAdded', friend: data.friend as UserSummary };
  if (name === 'friendRemoved') return { kind: 'friendRemoved', userId: Number(data.userId) };
  return null;
}

export function newClientId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

export class ChatSocket {
  private socket: SocketLike | null = null;
  private listeners = new Set<(event: SocketEvent) => void>();
  /** Open rooms and the last seq delivered in each. */
  private rooms = new Map<number, number>();
  private seen = new Set<number>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private resendTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  status: SocketStatus = 'closed';
  /** Unsent messages; replaced by the account's persistent one at sign-in (`useOutbox`). */
  outbox = new Outbox();
  private offOutbox = this.outbox.on(() => this.emit({ kind: 'outbox' }));

  constructor(private readonly options: ChatSocketOptions) {}

  on(listener: (event: SocketEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The signed-in account's outbox: what it holds is sent as soon as the socket is open. */
  useOutbox(outbox: Outbox) {
    this.offOutbox();
    this.outbox = outbox;
    this.offOutbox = outbox.on(() => this.emit({ kind: 'outbox' }));
    this.emit({ kind: 'outbox' });
    this.flush();
  }

  start() {
    this.stopped = false;
    if (!this.socket) this.connect();
  }

  /** Reconnects now instead of waiting for the back-off (the network came back, a click). */
  retryNow() {
    if (this.stopped || this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  /** Closes for good (logging out): no reconnect. */
  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
    this.socket?.close(1000);
    this.socket = null;
    this.rooms.clear();
    this.useOutbox(new Outbox());
    this.seen.clear();
    this.setStatus('closed');
  }

  /** Follows a room from `afterSeq` on (what the caller already has). */
  join(chatroomId: number, afterSeq = 0) {
    const known = this.rooms.get(chatroomId);
    const from = Math.max(afterSeq, known ?? 0);
    this.rooms.set(chatroomId, from);
    if (known === undefined) this.frame('joinRoom', { chatroomId, afterSeq: from });
  }

  leave(chatroomId: number) {
    if (this.rooms.delete(chatroomId)) this.frame('leaveRoom', { chatroomId });
  }

  /**
   * Sends a message: it waits in the outbox (surviving a reload) and is sent, and re-sent after
   * every reconnect, until the server stores or refuses it. Returns its clientId.
   */
  send(chatroomId: number, type: MessageType, content: string, clientId = newClientId()): string {
    const message: OutboxItem = { chatroomId, clientId, type, content, createTime: new Date().toISOString() };
    this.outbox.add(message);
    this.transmit(message);
    return clientId;
  }

  /** Sends a refused message again, with the same clientId. */
  resend(clientId: string) {
    const message = this.outbox.retry(clientId);
    if (message) this.transmit(message);
  }

  /**
   * Another tab changed the outbox: what it could not send (it is offline, or was closed) goes
   * out from here if this socket is open. The same clientId from two tabs is stored once.
   */
  outboxChangedElsewhere() {
    this.outbox.changedElsewhere();
    this.flush();
  }

  /** Stored by other means (the HTTP fallback): stop sending it. */
  settled(clientId: string) {
    this.outbox.remove(clientId);
  }

  read(chatroomId: number, seq: number) {
    this.frame('read', { chatroomId, seq });
  }

  /** The last seq delivered in a room (0 when none). */
  lastSeq(chatroomId: number): number {
    return this.rooms.get(chatroomId) ?? 0;
  }

  /** Everything in the outbox that the server has not refused, in the order it was typed. */
  private flush() {
    for (const message of this.outbox.list()) if (!message.refused) this.transmit(message);
  }

  private transmit(message: OutboxItem) {
    this.frame('sendMessage', {
      chatroomId: message.chatroomId,
      clientId: message.clientId,
      message: { type: message.type, content: message.content },
    });
  }

  private frame(event: string, data: unknown) {
    if (this.socket && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify({ event, data }));
    }
  }

  private emit(event: SocketEvent) {
    for (const listener of [...this.listeners]) listener(event);
  }

  private setStatus(status: SocketStatus) {
    if (this.status === status) return;
    this.status = status;
    this.emit({ kind: 'status', status });
  }

  private connect() {
    const url = this.options.url();
    if (!url) {
      this.setStatus('closed');
      return;
    }
    this.setStatus('connecting');
    const create = this.options.create ?? ((target: string) => new WebSocket(target) as unknown as SocketLike);
    const socket = create(url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setStatus('open');
      for (const [chatroomId, afterSeq] of this.rooms) this.frame('joinRoom', { chatroomId, afterSeq });
      this.flush();
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(String(event.data));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      this.setStatus('connecting');
      if (this.attempt === 2) this.options.onRepeatedFailure?.();
      this.retry();
    };
    socket.onerror = () => {
      // A close event follows; reconnecting happens there.
    };
  }

  private retry() {
    const { initial, max } = this.options.backoff ?? { initial: 500, max: 10_000 };
    const delay = Math.min(max, initial * 2 ** this.attempt);
    this.attempt += 1;
    const jittered = delay / 2 + Math.random() * (delay / 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, jittered);
  }

  private receive(text: string) {
    let frame: { event?: string; data?: Record<string, unknown> };
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const data = frame.data ?? {};
    switch (frame.event) {
      case 'message':
        if (data.type === 'sendMessage' && data.message) this.deliver(data.message as ChatMessage);
        else if (data.type === 'joinRoom')
          this.emit({ kind: 'memberAdded', chatroomId: Number(data.chatroomId), userId: Number(data.userId) });
        else if (data.type === 'exitRoom')
          this.emit({ kind: 'memberLeft', chatroomId: Number(data.chatroomId), userId: Number(data.userId) });
        break;
      case 'left': {
        const chatroomId = Number(data.chatroomId);
        // Not followed any more: a reconnect must not rejoin it. (The answer to our own
        // `leaveRoom` finds the room already gone and says nothing.)
        if (this.rooms.delete(chatroomId)) this.emit({ kind: 'left', chatroomId });
        break;
      }
      case 'ack': {
        const ack = data as unknown as Ack;
        // On a room we follow the message itself comes next: it leaves the outbox then, so the
        // conversation shows it all along, first pending, then delivered.
        const last = this.rooms.get(ack.chatroomId);
        if (last === undefined || ack.seq <= last) this.outbox.remove(ack.clientId);
        this.emit({ kind: 'ack', ack });
        break;
      }
      case 'joined':
        this.emit({ kind: 'joined', chatroomId: Number(data.chatroomId), lastSeq: Number(data.lastSeq) });
        break;
      case 'error': {
        const clientId = typeof data.clientId === 'string' ? data.clientId : undefined;
        const code = String(data.code ?? 'error');
        if (clientId && TRANSIENT.has(code)) {
          // "Not now": sent again shortly (and after a reconnect), never shown as failed.
          this.resendSoon();
          break;
        }
        // A refused send would be refused again: kept, but only sent when the user retries.
        if (clientId) this.outbox.refuse(clientId, String(data.message ?? ''));
        this.emit({
          kind: 'error',
          code,
          message: String(data.message ?? ''),
          chatroomId: typeof data.chatroomId === 'number' ? data.chatroomId : undefined,
          clientId,
        });
        break;
      }
      default: {
        const event = userEvent(frame.event, data);
        if (event) this.emit(event);
        break;
      }
    }
  }

  private resendSoon() {
    if (this.resendTimer) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = null;
      this.flush();
    }, 1000);
  }

  private deliver(message: ChatMessage) {
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    // Ours, stored (its ack may have been lost with a dropped socket): nothing left to send.
    const waiting = this.outbox.list().find((m) => m.clientId === message.clientId && m.chatroomId === message.chatroomId);
    if (waiting) this.outbox.remove(waiting.clientId);
    const last = this.rooms.get(message.chatroomId);
    if (last !== undefined && message.seq > last) this.rooms.set(message.chatroomId, message.seq);
    this.emit({ kind: 'message', message });
  }
}

/** `ws(s)://<host>/chat?token=...` for the page's own origin. */
export function socketUrl(token: string | null, location: { protocol: string; host: string } = window.location): string | null {
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/chat?token=${encodeURIComponent(token)}`;
}
