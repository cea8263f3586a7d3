import { ClockCircleOutlined, CloseOutlined, FileOutlined, LoadingOutlined, StarFilled, StarOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Image, Progress } from 'antd';
import type { ChatMessage, MessageType } from '../../api/types';
import { HoverTooltip } from '../../components/HoverTooltip';
import { UserAvatar } from '../../components/UserAvatar';
import { splitLinks } from '../../util/links';
import { useObjectInfo } from '../../api/objectInfo';
import { formatSize } from '../../util/size';
import { clock, fileName } from '../../util/time';

/** Text with its web addresses as links; everything stays text (React escapes it). */
function TextWithLinks({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

/** A file: its name as uploaded (spaces and all) and, once the server says, its size. */
function FileBubble({ url }: { url: string }) {
  const info = useObjectInfo(url);
  const name = info?.name ?? fileName(url);
  return (
    <a href={url} download={name} target="_blank" rel="noopener noreferrer" className="bubble file-bubble" data-testid="message-file">
      <FileOutlined style={{ fontSize: 22 }} />
      <span className="file-text">
        <span className="file-name">{name}</span>
        {info && <span className="file-size" data-testid="file-size">{formatSize(info.size)}</span>}
      </span>
    </a>
  );
}

export function MessageContent({ type, content }: { type: MessageType; content: string }) {
  if (type === 'image') {
    return <Image src={content} alt="image" style={{ maxWidth: 240, maxHeight: 320, borderRadius: 8 }} data-testid="message-image" />;
  }
  if (type === 'file') {
    return <FileBubble url={content} />;
  }
  return (
    <div className="bubble" data-testid="message-text">
      <TextWithLinks text={content} />
    </div>
  );
}

export function MessageItem({ message, mine, showSender, saved, highlight, onFavorite }: {
  message: ChatMessage;
  mine: boolean;
  showSender: boolean;
  saved: boolean;
  /** The message the conversation was opened at (a favorite). */
  highlight: boolean;
  onFavorite: (message: ChatMessage) => void;
}) {
  const sender = message.sender;
  const label = saved ? 'Remove from favorites' : 'Add to favorites';
  return (
    <div className={`msg-row ${mine ? 'mine' : ''} ${highlight ? 'highlight' : ''}`} data-testid="message" data-seq={message.seq}>
      <UserAvatar name={sender.nickName} src={sender.headPic || undefined} size={36} />
      <div className="msg-body">
        {showSender && !mine && <div className="msg-sender">{sender.nickName}</div>}
        <div className={message.type === 'image' ? 'bubble media' : undefined}>
          <MessageContent type={message.type} content={message.content} />
        </div>
        <div className="msg-meta">
          <span>{clock(message.createTime)}</span>
          <HoverTooltip title={label}>
            <Button
              type="text"
              size="small"
              icon={saved ? <StarFilled style={{ color: '#faad14' }} /> : <StarOutlined />}
              onClick={() => onFavorite(message)}
              aria-label={label}
              aria-pressed={saved}
              data-testid="favorite"
              data-saved={saved}
            />
          </HoverTooltip>
        </div>
      </div>
    </div>
  );
}

export interface PendingMessage {
  clientId: string;
  type: MessageType;
  content: string;
  status: 'uploading' | 'sending' | 'waiting' | 'failed';
  progress?: number;
  label?: string;
  /** Why the server refused it. */
  error?: string;
}

export function PendingItem({ pending, name, headPic, onRetry, onDiscard }: {
  pending: PendingMessage;
  name: string;
  headPic?: string;
  onRetry: (pending: PendingMessage) => void;
  onDiscard: (pending: PendingMessage) => void;
}) {
  return (
    <div className="msg-row mine" data-testid="pending" data-status={pending.status}>
      <UserAvatar name={name} src={headPic} size={36} />
      <div className="msg-body">
        {pending.status === 'uploading' ? (
          <div className="bubble" style={{ minWidth: 180 }}>
            <div>{pending.label}</div>
            <Progress percent={pending.progress ?? 0} size="small" />
          </div>
        ) : (
          <MessageContent type={pending.type} content={pending.content} />
        )}
        <div className="msg-meta">
          {pending.status === 'failed' ? (
            <>
              <Button type="link" size="small" danger icon={<WarningOutlined />} onClick={() => onRetry(pending)} title={pending.error}>
                Not sent: retry
              </Button>
              <Button type="text" size="small" icon={<CloseOutlined />} onClick={() => onDiscard(pending)} aria-label="Discard" />
            </>
          ) : pending.status === 'waiting' ? (
            <span data-testid="waiting"><ClockCircleOutlined /> waiting for the connection</span>
          ) : (
            <span><LoadingOutlined /> sending…</span>
          )}
        </div>
      </div>
    </div>
  );
}
