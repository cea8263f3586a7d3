// This room's messages waiting in the outbox, as the conversation shows them: "sending" while
// the socket is open, "waiting for the connection" while it is not, "not sent" once refused.
import { useEffect, useState } from 'react';
import type { ChatMessage } from '../../api/types';
import { useSession } from '../../session';
import type { PendingMessage } from './MessageItem';

export function useOutbox(roomId: number, messages: ChatMessage[]): PendingMessage[] {
  const { socket } = useSession();
  const [, setVersion] = useState(0);

  useEffect(
    () =>
      socket.on((event) => {
        if (event.kind === 'outbox' || event.kind === 'status') setVersion((v) => v + 1);
      }),
    [socket],
  );

  const delivered = new Set(messages.map((m) => m.clientId));
  const online = socket.status === 'open';
  return socket.outbox
    .list()
    .filter((item) => item.chatroomId === roomId && !delivered.has(item.clientId))
    .map((item) => ({
      clientId: item.clientId,
      type: item.type,
      content: item.content,
      status: item.refused ? 'failed' : online ? 'sending' : 'waiting',
      error: item.refused,
    }));
}
