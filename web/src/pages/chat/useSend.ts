// Sending from a conversation: text and files go into the outbox (see socket/outbox.ts) and out
// over the socket; without a socket they are also tried over HTTP at once (the same clientId,
// stored once). Out of reach, a message simply waits; only a refusal marks it failed.
import { App } from 'antd';
import { useCallback, useState } from 'react';
import { rooms } from '../../api/endpoints';
import { ApiError } from '../../api/http';
import type { ChatMessage, MessageType } from '../../api/types';
import { uploadFile } from '../../api/upload';
import { newClientId } from '../../socket/chatSocket';
import { useSession } from '../../session';
import type { PendingMessage } from './MessageItem';

const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];

/** `onStored`: a message the HTTP fallback stored; `onSend`: before anything is sent. */
export function useSend(roomId: number, onStored: (message: ChatMessage) => void, onSend: () => void) {
  const { socket } = useSession();
  const { message: toast } = App.useApp();
  /** Files on their way to the store; once uploaded they are messages in the outbox. */
  const [uploads, setUploads] = useState<PendingMessage[]>([]);

  const viaHttp = useCallback(
    (clientId: string, type: MessageType, content: string) => {
      if (socket.status === 'open') return;
      rooms
        .send(roomId, clientId, type, content, { silent: true })
        .then((stored) => {
          onStored(stored);
          socket.settled(clientId);
        })
        .catch((error: unknown) => {
          const refused = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
          if (!refused) return;
          socket.outbox.refuse(clientId, error.message);
          toast.error(error.message);
        });
    },
    [socket, roomId, toast, onStored],
  );

  const transmit = (clientId: string, type: MessageType, content: string) => {
    onSend();
    socket.send(roomId, type, content, clientId);
    viaHttp(clientId, type, content);
  };

  /** Returns whether the text was taken (it fits). */
  const sendText = (content: string): boolean => {
    if ([...content].length > 4000) {
      toast.error('A message can be at most 4000 characters.');
      return false;
    }
    transmit(newClientId(), 'text', content);
    return true;
  };

  const sendFile = async (file: File) => {
    if (file.size > 20 * 1024 * 1024) {
      toast.error('Files can be at most 20 MiB.');
      return;
    }
    const clientId = newClientId();
    const type: MessageType = INLINE_IMAGES.includes(file.type) ? 'image' : 'file';
    onSend();
    setUploads((list) => [...list, { clientId, type, content: '', status: 'uploading', progress: 0, label: file.name }]);
    try {
      const url = await uploadFile(file, 'attachment', (progress) =>
        setUploads((list) => list.map((p) => (p.clientId === clientId ? { ...p, progress } : p))),
      );
      transmit(clientId, type, url);
    } catch (error) {
      if (error instanceof Error) toast.error(error.message);
    } finally {
      setUploads((list) => list.filter((p) => p.clientId !== clientId));
    }
  };

  const retry = (item: PendingMessage) => {
    socket.resend(item.clientId);
    viaHttp(item.clientId, item.type, item.content);
  };
  const discard = (item: PendingMessage) => socket.settled(item.clientId);

  return { uploads, sendText, sendFile, retry, discard };
}
