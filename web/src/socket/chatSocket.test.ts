import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ChatSocket, type SocketEvent, type SocketLike } from './chatSocket';
import { Outbox, outboxKey } from './outbox';
import { memoryStore } from './testing';

type Frame = { event: string; data: Record<string, unknown> };

/** A stand-in for the gateway's socket end: records frames, lets the test answer. */
async function fakeServer() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  const connections: WebSocket[] = [];
  server.on('connection', (socket) => {
    connections.push(socket);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      frames.push(frame);
      for (const waiter of [...waiters]) {
        if (waiter.match(frame)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
  });
  return {
    server,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/chat`,
    frames,
    connections,
    /** The next frame (from now on) that matches. */
    next(match: (f: Frame) => boolean): Promise<Frame> {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    send(frame: Frame) {
      connections.at(-1)?.send(JSON.stringify(frame));
    },
  };
}

function message(id: number, seq: number) {
  return {
    event: 'message',
    data: {
      type: 'sendMessage',
      userId: 2,
      message: {
        id, chatroomId: 7, seq, type: 'text', content: `m${seq}`, createTime: '2026-01-01T00:00:00.000Z',
        sender: { id: 2, username: 'bob', nickName: 'Bob', headPic: '' }, clientId: `c${seq}`,
      },
    },
  };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup) step();
  cleanup = [];
});

function client(url: string, events: SocketEvent[]) {
  const socket = new ChatSocket({
    url: () => url,
    create: (target) => new WebSocket(target) as unknown as SocketLike,
    backoff: { initial: 10, max: 50 },
  });
  socket.on((event) => events.push(event));
  cleanup.push(() => socket.stop());
  return socket;
}

function until(events: SocketEvent[], check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5000;
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out; events: ${JSON.stringify(events)}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

describe('the chat socket', () => {
  it('rejoins with the last seq after a drop and never delivers an id twice', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    const joined = fake.next((f) => f.event === 'joinRoom');
    socket.start();
    socket.join(7, 3);
    await until(events, () => socket.status === 'open');
    expect((await joined).data).toEqual({ chatroomId: 7, afterSeq: 3 });

    fake.send(message(104, 4));
    fake.send(message(105, 5));
    await until(events, () => events.filter((e) => e.kind === 'message').length === 2);

    const rejoined = fake.next((f) => f.event === 'joinRoom');
    fake.connections.at(-1)?.terminate();
    expect((await rejoined).data).toEqual({ chatroomId: 7, afterSeq: 5 });
    // The replay repeats 5; only 6 is new.
    fake.send(message(105, 5));
    fake.send(message(106, 6));
    await until(events, () => events.filter((e) => e.kind === 'message').length === 3);
    const seqs = events.flatMap((e) => (e.kind === 'message' ? [e.message.seq] : []));
    expect(seqs).toEqual([4, 5, 6]);
    expect(socket.lastSeq(7)).toBe(6);
  });

  it('re-sends an unacknowledged message with the same clientId after reconnecting', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    socket.start();
    await until(events, () => socket.status === 'open');
    const first = fake.next((f) => f.event === 'sendMessage');
    const clientId = socket.send(7, 'text', 'hello');
    expect((await first).data).toMatchObject({ chatroomId: 7, clientId, message: { type: 'text', content: 'hello' } });

    const again = fake.next((f) => f.event === 'sendMessage');
    fake.connections.at(-1)?.terminate();
    expect((await again).data).toMatchObject({ clientId });
    fake.send({ event: 'ack', data: { clientId, chatroomId: 7, id: 1, seq: 1 } });
    await until(events, () => events.some((e) => e.kind === 'ack'));

    // Acknowledged: not sent a third time after another drop.
    const rejoin = fake.next(() => true);
    fake.connections.at(-1)?.terminate();
    socket.join(9);
    await until(events, () => socket.status === 'open' && fake.connections.length === 3);
    await rejoin;
    expect(fake.frames.filter((f) => f.event === 'sendMessage')).toHaveLength(2);
  });
});

describe('the outbox on the socket', () => {
  it('sends what was typed offline after a reload, with the original clientId, once acknowledged', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const store = memoryStore();
    // Typed while there was no connection at all (the page then closed).
    const offline = new ChatSocket({ url: () => null });
    offline.useOutbox(new Outbox(store, outboxKey(1)));
    const clientId = offline.send(7, 'text', 'typed offline');
    offline.stop();

    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    const sent = fake.next((f) => f.event === 'sendMessage');
    socket.useOutbox(new Outbox(store, outboxKey(1)));
    socket.start();
    expect((await sent).data).toMatchObject({ chatroomId: 7, clientId, message: { content: 'typed offline' } });
    fake.send({ event: 'ack', data: { clientId, chatroomId: 7, id: 1, seq: 1 } });
    await until(events, () => socket.outbox.list().length === 0);
    expect(store.data.size).toBe(0);
  });

  it('keeps a refused message without re-sending it, and retries "not now" by itself', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    socket.start();
    await until(events, () => socket.status === 'open');
    const refusedId = socket.send(7, 'text', 'refused');
    fake.send({ event: 'error', data: { code: 'validation_failed', message: 'too long', clientId: refusedId, chatroomId: 7 } });
    await until(events, () => socket.outbox.list()[0]?.refused === 'too long');

    const busyId = socket.send(7, 'text', 'busy');
    await fake.next((f) => f.event === 'sendMessage' && f.data.clientId === busyId);
    const again = fake.next((f) => f.event === 'sendMessage');
    fake.send({ event: 'error', data: { code: 'server_busy', message: 'busy', clientId: busyId, chatroomId: 7 } });
    expect((await again).data.clientId).toBe(busyId);
    expect(socket.outbox.list().find((m) => m.clientId === busyId)?.refused).toBeUndefined();
    expect(fake.frames.filter((f) => f.data.clientId === refusedId)).toHaveLength(1);
  });

  it('in a followed room, keeps the message until it arrives, so it is never shown neither sent nor delivered', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    socket.start();
    socket.join(7, 0);
    await until(events, () => socket.status === 'open');
    const sent = fake.next((f) => f.event === 'sendMessage');
    const clientId = socket.send(7, 'text', 'hello');
    await sent;
    fake.send({ event: 'ack', data: { clientId, chatroomId: 7, id: 101, seq: 1 } });
    await until(events, () => events.some((e) => e.kind === 'ack'));
    expect(socket.outbox.has(clientId)).toBe(true);
    const stored = message(101, 1);
    (stored.data.message as { clientId: string }).clientId = clientId;
    fake.send(stored);
    await until(events, () => !socket.outbox.has(clientId));
  });
});

describe('live user and member events', () => {
  it('turns the API.md §7 frames into events, and a room left elsewhere is not rejoined', async () => {
    const fake = await fakeServer();
    cleanup.push(() => fake.server.close());
    const events: SocketEvent[] = [];
    const socket = client(fake.url, events);
    socket.start();
    socket.join(7, 0);
    await until(events, () => socket.status === 'open');
    const bob = { id: 2, username: 'bob', nickName: 'Bob', headPic: '' };
    fake.send({ event: 'friendRequest', data: { request: { id: 5, fromUser: bob, toUser: bob, reason: '', status: 0, createTime: '' } } });
    fake.send({ event: 'friendAdded', data: { friend: bob } });
    fake.send({ event: 'friendRemoved', data: { userId: 2 } });
    fake.send({ event: 'message', data: { type: 'exitRoom', userId: 2, chatroomId: 7 } });
    fake.send({ event: 'left', data: { chatroomId: 7 } });
    await until(events, () => events.some((e) => e.kind === 'left'));
    expect(events.filter((e) => e.kind !== 'status' && e.kind !== 'joined').map((e) => e.kind)).toEqual([
      'friendRequest', 'friendAdded', 'friendRemoved', 'memberLeft', 'left',
    ]);
    const rejoin = fake.next((f) => f.event === 'joinRoom' || f.event === 'ping');
    fake.connections.at(-1)?.terminate();
    await until(events, () => fake.connections.length === 2 && socket.status === 'open');
    socket.join(9);
    expect((await rejoin).data).toEqual({ chatroomId: 9, afterSeq: 0 });
  });
});
