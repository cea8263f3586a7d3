// What the conversation lists: messages with their day separators, the unread divider, the
// member lines of this session and the messages still on their way.
import { Fragment } from 'react';
import type { ChatMessage } from '../../api/types';
import { useLive } from '../../live/LiveProvider';
import { useSession } from '../../session';
import { dayLabel, isSameDay } from '../../util/time';
import { MessageItem, PendingItem, type PendingMessage } from './MessageItem';
import type { Notice } from './useGroupMembers';

function MemberLine({ text }: { text: string }) {
  return <div className="member-line" data-testid="member-line">{text}</div>;
}

export function Timeline({ messages, notices, pending, isGroup, dividerSeq, highlight, onRetry, onDiscard }: {
  messages: ChatMessage[];
  notices: Notice[];
  pending: PendingMessage[];
  isGroup: boolean;
  /** The first unread message (the divider goes above it). */
  dividerSeq: number | null;
  /** The message the conversation was opened at. */
  highlight: number | null;
  onRetry: (item: PendingMessage) => void;
  onDiscard: (item: PendingMessage) => void;
}) {
  const { me } = useSession();
  const { saved, toggleFavorite } = useLive();
  const lines = (list: Notice[]) => list.map((n) => <MemberLine key={n.key} text={n.text} />);
  return (
    <>
      {messages.map((message, index) => {
        const previous = messages[index - 1];
        const next = messages[index + 1];
        const newDay = !previous || !isSameDay(previous.createTime, message.createTime);
        // Member lines go after the last message they followed (before the first if older).
        const before = index === 0 ? notices.filter((n) => n.afterSeq < message.seq) : [];
        const after = notices.filter((n) => n.afterSeq >= message.seq && (!next || n.afterSeq < next.seq));
        return (
          <Fragment key={message.id}>
            {newDay && <div className="day-separator">{dayLabel(message.createTime)}</div>}
            {message.seq === dividerSeq && (
              <div className="unread-divider" data-testid="unread-divider">
                <span>Unread messages</span>
              </div>
            )}
            {lines(before)}
            <MessageItem
              message={message}
              mine={message.sender.id === me?.id}
              showSender={isGroup}
              saved={saved.has(message.id)}
              highlight={message.seq === highlight}
              onFavorite={toggleFavorite}
            />
            {lines(after)}
          </Fragment>
        );
      })}
      {messages.length === 0 && lines(notices)}
      {pending.map((item) => (
        <PendingItem key={item.clientId} pending={item} name={me?.nickName ?? ''} headPic={me?.headPic || undefined} onRetry={onRetry} onDiscard={onDiscard} />
      ))}
    </>
  );
}
