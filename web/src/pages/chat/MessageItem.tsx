import { FileOutlined, LoadingOutlined, StarOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Image, Progress, Tooltip } from 'antd';
import type { ChatMessage, MessageType } from '../../api/types';
import { UserAvatar } from '../../components/UserAvatar';
import { clock, fileName } from '../../util/time';

export function MessageContent({ type, content }: { type: MessageType; content: string }) {
  if (type === 'image') {
    return <Image src={content} alt="image" style={{ maxWidth: 240, maxHeight: 320, borderRadius: 8 }} data-testid="message-image" />;
  }
  if (type === 'file') {
    return (
      <a href={content} download={fileName(content)} target="_blank" rel="noreferrer" className="bubble" style={{ display: 'inline-flex', gap: 8 }}>
        <FileOutlined /> {fileName(content)}
      </a>
    );
  }
  return <div className="bubble" data-testid="message-text">{content}</div>;
}

export function MessageItem({ message, mine, showSender, onFavorite }: {
  message: ChatMessage;
  mine: boolean;
  showSender: boolean;
  onFavorite: (message: ChatMessage) => void;
}) {
  const sender = message.sender;
  return (
    <div className={`msg-row ${mine ? 'mine' : ''}`} data-testid="message" data-seq={message.seq}>
      <UserAvatar name={sender.nickName} src={sender.headPic || undefined} size={36} />
      <div className="msg-body">
        {showSender && !mine && <div className="msg-sender">{sender.nickName}</div>}
        <div className={message.type === 'image' ? 'bubble media' : undefined}>
          <MessageContent type={message.type} content={message.content} />
        </div>
        <div className="msg-meta">
          <span>{clock(message.createTime)}</span>
          <Tooltip title="Add to favorites">
            <Button type="text" size="small" icon={<StarOutlined />} onClick={() => onFavorite(message)} aria-label="Add to favorites" data-testid="favorite" />
          </Tooltip>
        </div>
      </div>
    </div>
  );
}

export interface PendingMessage {
  clientId: string;
  type: MessageType;
  content: string;
  status: 'uploading' | 'sending' | 'failed';
  progress?: number;
  label?: string;
}

export function PendingItem({ pending, name, headPic, onRetry }: {
  pending: PendingMessage;
  name: string;
  headPic?: string;
  onRetry: (pending: PendingMessage) => void;
}) {
  return (
    <div className="msg-row mine" data-testid="pending">
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
            <Button type="link" size="small" danger icon={<WarningOutlined />} onClick={() => onRetry(pending)}>
              Not sent: retry
            </Button>
          ) : (
            <span><LoadingOutlined /> sending…</span>
          )}
        </div>
      </div>
    </div>
  );
}
