// Messages typed but not yet stored by the server, kept per account in localStorage so that a
// reload, a closed tab or a dead connection loses nothing. Each keeps the clientId it was given
// when typed: sending it again (after a reconnect, from another tab) stores it once.
import type { MessageType } from '../api/types';

export interface OutboxItem {
  chatroomId: number;
  clientId: string;
  type: MessageType;
  content: string;
  /** When it was typed (ISO). */
  createTime: string;
  /** The server's reason when it refused the message: not sent again until retried. */
  refused?: string;
}

/** The part of the Web Storage API the outbox uses (`window.localStorage` fits). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function outboxKey(userId: number): string {
  return `chat.outbox.${userId}`;
}

function parse(text: string | null): OutboxItem[] {
  if (!text) return [];
  try {
    const items: unknown = JSON.parse(text);
    return Array.isArray(items)
      ? items.filter((i): i is OutboxItem => typeof i?.clientId === 'string' && typeof i?.chatroomId === 'number')
      : [];
  } catch {
    return [];
  }
}

export class Outbox {
  private listeners = new Set<() => void>();
  /** What is kept when the store cannot be used (private mode, quota full) or there is none. */
  private memory: OutboxItem[];
  /** A write to the store failed: memory is the truth from then on. */
  private broken = false;

  constructor(private readonly store: KeyValueStore | null = null, private readonly key = 'chat.outbox') {
    this.memory = store ? this.read() : [];
  }

  /** In the order they were typed. Read anew each time: another tab may have changed it. */
  list(): OutboxItem[] {
    return this.read();
  }

  has(clientId: string): boolean {
    return this.read().some((item) => item.clientId === clientId);
  }

  add(item: OutboxItem) {
    this.write([...this.read().filter((i) => i.clientId !== item.clientId), item]);
  }

  /** Stored by the server (or discarded by the user): forget it. */
  remove(clientId: string): boolean {
    const items = this.read();
    const rest = items.filter((i) => i.clientId !== clientId);
    if (rest.length === items.length) return false;
    this.write(rest);
    return true;
  }

  refuse(clientId: string, reason: string) {
    this.update(clientId, (item) => ({ ...item, refused: reason || 'Refused by the server' }));
  }

  /** Makes a refused message sendable again; returns it. */
  retry(clientId: string): OutboxItem | undefined {
    this.update(clientId, ({ refused: _refused, ...item }) => item);
    return this.read().find((i) => i.clientId === clientId);
  }

  /** Forgets everything (logging out on purpose). */
  clear() {
    this.write([]);
  }

  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Another tab changed the stored list. */
  changedElsewhere() {
    this.memory = this.read();
    for (const listener of [...this.listeners]) listener();
  }

  private update(clientId: string, change: (item: OutboxItem) => OutboxItem) {
    this.write(this.read().map((item) => (item.clientId === clientId ? change(item) : item)));
  }

  private read(): OutboxItem[] {
    if (!this.store || this.broken) return this.memory;
    try {
      return parse(this.store.getItem(this.key));
    } catch {
      return this.memory;
    }
  }

  private write(items: OutboxItem[]) {
    this.memory = items;
    try {
      if (!this.store) {
        // kept in memory only
      } else if (items.length) this.store.setItem(this.key, JSON.stringify(items));
      else this.store.removeItem(this.key);
    } catch {
      // Kept in memory for this page; nothing better is possible.
      this.broken = true;
    }
    for (const listener of [...this.listeners]) listener();
  }
}
