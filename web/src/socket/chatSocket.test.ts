import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ChatSocket, type SocketEvent, type SocketLike } from './chatSocket';

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
