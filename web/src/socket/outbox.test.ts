import { describe, expect, it } from 'vitest';
import { Outbox, outboxKey, type KeyValueStore, type OutboxItem } from './outbox';
import { memoryStore } from './testing';

const item = (clientId: string, chatroomId = 7): OutboxItem => ({
  chatroomId, clientId, type: 'text', content: `text ${clientId}`, createTime: '2026-01-01T00:00:00.000Z',
});

describe('the outbox', () => {
  it('keeps unsent messages per account across a reload, in the order they were typed', () => {
    const store = memoryStore();
    const first = new Outbox(store, outboxKey(1));
    first.add(item('a'));
    first.add(item('b'));
    new Outbox(store, outboxKey(2)).add(item('other'));

    const reloaded = new Outbox(store, outboxKey(1));
    expect(reloaded.list().map((i) => i.clientId)).toEqual(['a', 'b']);
    expect(reloaded.remove('a')).toBe(true);
    expect(reloaded.remove('a')).toBe(false);
    expect(new Outbox(store, outboxKey(1)).list().map((i) => i.clientId)).toEqual(['b']);
    expect(new Outbox(store, outboxKey(2)).list().map((i) => i.clientId)).toEqual(['other']);
  });

  it('marks a refusal, clears it on retry, and forgets the key when empty', () => {
    const store = memoryStore();
    const outbox = new Outbox(store, outboxKey(1));
    let changes = 0;
    outbox.on(() => (changes += 1));
    outbox.add(item('a'));
    outbox.refuse('a', 'too long');
    expect(outbox.list()[0].refused).toBe('too long');
    expect(outbox.retry('a')?.refused).toBeUndefined();
    outbox.clear();
    expect(store.data.has(outboxKey(1))).toBe(false);
    expect(changes).toBe(4);
  });

  it('survives a store that throws or holds garbage', () => {
    const broken: KeyValueStore = {
      getItem: () => 'not json',
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const outbox = new Outbox(broken, 'k');
    expect(outbox.list()).toEqual([]);
    outbox.add(item('a'));
    expect(outbox.list().map((i) => i.clientId)).toEqual(['a']);
  });
});
