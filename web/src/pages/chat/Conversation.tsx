import { ArrowLeftOutlined, PaperClipOutlined, SendOutlined, TeamOutlined } from '@ant-design/icons';
import { App, Button, Empty, Input, Result, Spin, Upload } from 'antd';
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { favorites, rooms } from '../../api/endpoints';
import { uploadFile } from '../../api/upload';
import type { ChatMessage, MessageType, RoomInfo, RoomListItem } from '../../api/types';
import { newClientId } from '../../socket/chatSocket';
import { useSession } from '../../session';
import { dayLabel, isSameDay } from '../../util/time';
import { UserAvatar } from '../../components/UserAvatar';
import { GroupDrawer } from './GroupDrawer';
import { MessageItem, PendingItem, type PendingMessage } from './MessageItem';

const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];
const PAGE = 30;

function merged(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export function Conversation({ roomId, listed, onBack, onRead, onLeft }: {
  roomId: number;
  listed: RoomListItem | null;
  onBack?: () => void;
  onRead: (roomId: number) => void;
  onLeft: () => void;
}) {
  const { me, socket } = useSession();
  const { message: toast } = App.useApp();
  const [info, setInfo] = useState<RoomInfo | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<'loading' | 'ready' | 'missing'>('loading');
  const [olderLoading, setOlderLoading] = useState(false);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [text, setText] = useState('');
  const [membersOpen, setMembersOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  const lastRead = useRef(0);

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([
      rooms.info(roomId, { signal: abort.signal, silent: true }),
      rooms.history(roomId, { limit: PAGE }, { signal: abort.signal, silent: true }),
    ])
      .then(([room, history]) => {
        setInfo(room);
        setMessages((current) => merged(current, history.items));
        setHasMore(history.hasMore);
        setState('ready');
        socket.join(roomId, history.items.at(-1)?.seq ?? 0);
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState((error as { status?: number }).status === 404 ? 'missing' : 'ready');
      });
    return () => abort.abort();
  }, [roomId, socket]);

  useEffect(
    () =>
      socket.on((event) => {
        if (event.kind === 'message' && event.message.chatroomId === roomId) {
          const incoming = event.message;
          setMessages((current) => merged(current, [incoming]));
          if (incoming.sender.id === me?.id) setPending((list) => list.filter((p) => p.clientId !== incoming.clientId));
        } else if (event.kind === 'error' && event.clientId) {
          const clientId = event.clientId;
          setPending((list) => list.map((p) => (p.clientId === clientId ? { ...p, status: 'failed' } : p)));
          toast.error(event.message || 'The message was refused');
        }
      }),
    [socket, roomId, me?.id, toast],
  );

  // Stay at the bottom for new messages; keep the view still when older ones are put above.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    if (keepOffset.current !== null) {
      box.scrollTop = box.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    } else if (atBottom.current) {
      box.scrollTop = box.scrollHeight;
    }
  }, [messages, pending]);

  // What is shown is read.
  useEffect(() => {
    const newest = messages.at(-1)?.seq ?? 0;
    if (newest > lastRead.current && document.visibilityState === 'visible') {
      lastRead.current = newest;
      if (socket.status === 'open') socket.read(roomId, newest);
      else void rooms.read(roomId, newest).catch(() => undefined);
      onRead(roomId);
    }
  }, [messages, roomId, socket, onRead]);

  const loadOlder = useCallback(async () => {
    const first = messages[0];
    if (!first || !hasMore || olderLoading) return;
    setOlderLoading(true);
    try {
      const history = await rooms.history(roomId, { beforeSeq: first.seq, limit: PAGE });
      keepOffset.current = (scroller.current?.scrollHeight ?? 0) - (scroller.current?.scrollTop ?? 0);
      setMessages((current) => merged(current, history.items));
      setHasMore(history.hasMore);
    } catch {
      // toast shown
    } finally {
      setOlderLoading(false);
    }
  }, [messages, hasMore, olderLoading, roomId]);

  const onScroll = () => {
    const box = scroller.current;
    if (!box) return;
    atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    if (box.scrollTop < 40) void loadOlder();
  };

  const transmit = useCallback(
    (clientId: string, type: MessageType, content: string) => {
      setPending((list) => list.map((p) => (p.clientId === clientId ? { ...p, type, content, status: 'sending' } : p)));
      if (socket.status === 'open') {
        socket.send(roomId, type, content, clientId);
        return;
      }
      // No socket right now: the same clientId over HTTP (the server stores it once).
      rooms
        .send(roomId, clientId, type, content)
        .then((stored) => {
          setMessages((current) => merged(current, [stored]));
          setPending((list) => list.filter((p) => p.clientId !== clientId));
        })
        .catch(() => setPending((list) => list.map((p) => (p.clientId === clientId ? { ...p, status: 'failed' } : p))));
    },
    [socket, roomId],
  );

  const sendText = () => {
    const content = text.trim();
    if (!content) return;
    if ([...content].length > 4000) {
      toast.error('A message can be at most 4000 characters.');
      return;
    }
    const clientId = newClientId();
    atBottom.current = true;
    setPending((list) => [...list, { clientId, type: 'text', content, status: 'sending' }]);
    setText('');
    transmit(clientId, 'text', content);
  };

  const sendFile = async (file: File) => {
    if (file.size > 20 * 1024 * 1024) {
      toast.error('Files can be at most 20 MiB.');
      return;
    }
    const clientId = newClientId();
    const type: MessageType = INLINE_IMAGES.includes(file.type) ? 'image' : 'file';
    atBottom.current = true;
    setPending((list) => [...list, { clientId, type, content: '', status: 'uploading', progress: 0, label: file.name }]);
    try {
      const url = await uploadFile(file, 'attachment', (progress) =>
        setPending((list) => list.map((p) => (p.clientId === clientId ? { ...p, progress } : p))),
      );
      transmit(clientId, type, url);
    } catch (error) {
      setPending((list) => list.filter((p) => p.clientId !== clientId));
      if (error instanceof Error) toast.error(error.message);
    }
  };

  const retry = (item: PendingMessage) => transmit(item.clientId, item.type, item.content);

  const favorite = async (message: ChatMessage) => {
    try {
      await favorites.add(message.id);
      toast.success('Saved to favorites');
    } catch {
      // toast shown
    }
  };

  const name = info?.name ?? listed?.name ?? '';
  const isGroup = (info?.type ?? listed?.type) === 'group';

  if (state === 'missing') {
    return (
      <div className="conversation">
        <Result status="404" title="No such chat" subTitle="It does not exist or you are not in it." extra={onBack && <Button onClick={onBack}>Back</Button>} />
      </div>
    );
  }

  return (
    <section className="conversation" aria-label={`Chat ${name}`}>
      <div className="header">
        {onBack && <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label="Back" />}
        <UserAvatar name={name} group={isGroup} src={listed?.peer?.headPic || undefined} size={32} />
        <div className="title" data-testid="room-title">
          {name}
          {isGroup && info ? ` (${info.userCount})` : ''}
        </div>
        {isGroup && (
          <Button icon={<TeamOutlined />} onClick={() => setMembersOpen(true)} data-testid="members">
            Members
          </Button>
        )}
      </div>
      <div className="messages" ref={scroller} onScroll={onScroll} data-testid="messages">
        {state === 'loading' && <Spin style={{ display: 'block', marginTop: 32 }} />}
        {olderLoading && <Spin size="small" style={{ display: 'block', margin: '8px auto' }} />}
        {state === 'ready' && !hasMore && messages.length > 0 && <div className="day-separator">The beginning of this chat</div>}
        {state === 'ready' && messages.length === 0 && pending.length === 0 && <Empty description="No messages yet: say hello" />}
        {messages.map((message, index) => {
          const previous = messages[index - 1];
          const newDay = !previous || !isSameDay(previous.createTime, message.createTime);
          return (
            <Fragment key={message.id}>
              {newDay && <div className="day-separator">{dayLabel(message.createTime)}</div>}
              <MessageItem message={message} mine={message.sender.id === me?.id} showSender={isGroup} onFavorite={favorite} />
            </Fragment>
          );
        })}
        {pending.map((item) => (
          <PendingItem key={item.clientId} pending={item} name={me?.nickName ?? ''} headPic={me?.headPic || undefined} onRetry={retry} />
        ))}
      </div>
      <div className="composer">
        <Upload showUploadList={false} beforeUpload={(file) => { void sendFile(file); return false; }} multiple>
          <Button icon={<PaperClipOutlined />} aria-label="Send a file or image" data-testid="attach" />
        </Upload>
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 1, maxRows: 6 }}
          placeholder="Write a message (Enter sends, Shift+Enter breaks the line)"
          onPressEnter={(e) => {
            if (!e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              sendText();
            }
          }}
          data-testid="composer"
        />
        <Button type="primary" icon={<SendOutlined />} onClick={sendText} disabled={!text.trim()} data-testid="send">
          Send
        </Button>
      </div>
      {isGroup && info && (
        <GroupDrawer open={membersOpen} room={info} onClose={() => setMembersOpen(false)} onChanged={setInfo} onLeft={onLeft} />
      )}
    </section>
  );
}
