import { App, Button, Card, Empty, List, Popconfirm, Result, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { favorites } from '../api/endpoints';
import { isCancelled } from '../api/http';
import type { FavoriteItem, Page } from '../api/types';
import { UserAvatar } from '../components/UserAvatar';
import { useLive } from '../live/LiveProvider';
import { useSession } from '../session';
import { shortTime } from '../util/time';
import { MessageContent } from './chat/MessageItem';

const PAGE_SIZE = 20;

/** Who wrote it, and where: "Bob · Trio"; in a direct chat with Bob, Bob's own message is "Bob". */
export function favoriteTitle(item: FavoriteItem, myId?: number): string {
  const sender = item.message.sender.id === myId ? 'You' : item.message.sender.nickName;
  return sender === item.chatroom.name ? sender : `${sender} · ${item.chatroom.name}`;
}

export function FavoritesPage() {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { me } = useSession();
  const { forgetFavorite } = useLive();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<FavoriteItem> | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(
    (signal?: AbortSignal) =>
      favorites
        .list(page, PAGE_SIZE, { signal })
        .then((result) => {
          setData(result);
          setFailed(false);
        })
        .catch((error: unknown) => {
          if (!isCancelled(error)) setFailed(true);
        }),
    [page],
  );

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  const remove = async (item: FavoriteItem) => {
    try {
      await favorites.remove(item.id);
      forgetFavorite(item.message.id);
      message.success('Removed from favorites');
      void load();
    } catch {
      // toast shown
    }
  };

  return (
    <div className="page">
      <Card title="Favorites" style={{ maxWidth: 720, margin: '0 auto' }}>
        {failed && !data && <Result status="warning" title="Could not load your favorites" extra={<Button onClick={() => void load()}>Try again</Button>} />}
        {!failed && !data && <Spin />}
        {data && (
          <List
            dataSource={data.items}
            locale={{ emptyText: <Empty description="Nothing kept yet: use ☆ on a message" /> }}
            pagination={data.total > PAGE_SIZE ? { current: page, pageSize: PAGE_SIZE, total: data.total, onChange: setPage } : false}
            renderItem={(item) => (
              <List.Item
                data-testid="favorite-item"
                actions={[
                  <Button key="open" onClick={() => navigate(`/chats/${item.chatroom.id}?at=${item.message.seq}`)} data-testid="open-favorite">
                    Open chat
                  </Button>,
                  <Popconfirm key="remove" title="Remove from favorites?" onConfirm={() => remove(item)}>
                    <Button danger>Remove</Button>
                  </Popconfirm>,
                ]}
              >
                <List.Item.Meta
                  avatar={<UserAvatar name={item.message.sender.nickName} src={item.message.sender.headPic || undefined} />}
                  title={favoriteTitle(item, me?.id)}
                  description={<>
                    <div style={{ margin: '4px 0' }}><MessageContent type={item.message.type} content={item.message.content} /></div>
                    <small>{shortTime(item.message.createTime)}</small>
                  </>}
                />
              </List.Item>
            )}
          />
        )}
      </Card>
    </div>
  );
}
