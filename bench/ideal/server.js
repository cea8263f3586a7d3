'use strict';
// The floor of ../shared/perf's fixed-rate figure: a server that speaks our WebSocket protocol
// (API.md §4) to the perf harness's chat adapter and does nothing else. No database, no auth, no
// checks: a message is acked and fanned out the moment it arrives, every socket's frames of one
// event-loop turn in one write (as our gateway writes a batch's frames). Whatever latency the
// load generator still measures against it is the generator's own, on this machine.
//
// Only the HTTP routes the adapter calls during its setup are answered; tokens come from a
// ready-made user cache (see floor.sh), so nobody registers. `ws` comes from the harness.
const http = require('node:http');
const { WebSocketServer } = require('ws');

const PORT = Number(process.env.PORT || 3005);
const rooms = new Map(); // id -> { seq, sockets }
let nextRoom = 1;
let nextMessage = 1;
let turn = []; // [room, frame] fanned out at the end of this event-loop turn

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const url = req.url;
    if (url === '/health' || url === '/user/info') return answer(res, 200, {});
    if (url === '/friendship/add') return answer(res, 409, { code: 'already_friends' });
    if (url === '/chatroom/create-group') {
      const id = nextRoom++;
      rooms.set(id, { seq: 0, sockets: new Set() });
      return answer(res, 201, { id });
    }
    if (/^\/chatroom\/\d+\/join$/.test(url)) return answer(res, 200, {});
    return answer(res, 404, {});
  });
});

function fanOut() {
  const byRoom = new Map();
  for (const [room, frame] of turn) {
    if (!byRoom.has(room)) byRoom.set(room, []);
    byRoom.get(room).push(frame);
  }
  turn = [];
  for (const [room, frames] of byRoom) {
    for (const socket of room.sockets) {
      socket._socket.cork();
      for (const frame of frames) socket.send(frame);
      socket._socket.uncork();
    }
  }
}

function onSend(socket, userId, data) {
  const room = rooms.get(data.chatroomId);
  if (!room) return;
  const seq = ++room.seq;
  const id = nextMessage++;
  const { chatroomId, clientId } = data;
  socket.send(JSON.stringify({ event: 'ack', data: { clientId, chatroomId, id, seq } }));
  const sender = { id: userId, username: `ideal_${userId}`, nickName: `Ideal ${userId}`, headPic: '' };
  const message = {
    id, chatroomId, seq, type: 'text', content: data.message.content,
    createTime: new Date().toISOString(), sender, clientId,
  };
  turn.push([room, Buffer.from(JSON.stringify({ event: 'message', data: { type: 'sendMessage', userId, message } }))]);
  if (turn.length === 1) setImmediate(fanOut);
}

const wss = new WebSocketServer({ server, path: '/chat', perMessageDeflate: false });
wss.on('connection', (socket, req) => {
  const userId = Number(new URL(req.url, 'http://x').searchParams.get('token'));
  socket.on('message', (bytes) => {
    const frame = JSON.parse(bytes.toString());
    const data = frame.data || {};
    if (frame.event === 'sendMessage') return onSend(socket, userId, data);
    if (frame.event === 'joinRoom') {
      const room = rooms.get(data.chatroomId);
      if (!room) return;
      room.sockets.add(socket);
      socket.send(JSON.stringify({ event: 'joined', data: { chatroomId: data.chatroomId, lastSeq: room.seq } }));
    } else if (frame.event === 'ping') {
      socket.send('{"event":"pong","data":{}}');
    }
  });
});

server.listen(PORT, '127.0.0.1');
