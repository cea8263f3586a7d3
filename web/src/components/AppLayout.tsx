import { LogoutOutlined, MessageOutlined, StarOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Badge, Popconfirm } from 'antd';
import type { ReactNode } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { LiveProvider, useLive } from '../live/LiveProvider';
import { useSession } from '../session';
import { ConnectionBanner } from './ConnectionBanner';
import { HoverTooltip } from './HoverTooltip';
import { UserAvatar } from './UserAvatar';

const NAV = [
  { path: '/chats', label: 'Chats', icon: <MessageOutlined /> },
  { path: '/friends', label: 'Friends', icon: <TeamOutlined /> },
  { path: '/favorites', label: 'Favorites', icon: <StarOutlined /> },
  { path: '/profile', label: 'Profile', icon: <UserOutlined /> },
];

export function AppLayout() {
  return (
    <LiveProvider>
      <Shell />
    </LiveProvider>
  );
}

function Shell() {
  const { me, signOut, socket } = useSession();
  const { pendingRequests, unreadTotal } = useLive();
  const navigate = useNavigate();
  const location = useLocation();
  const badges: Record<string, number> = { '/chats': unreadTotal, '/friends': pendingRequests };
  const icon = (path: string, node: ReactNode) =>
    badges[path] ? (
      <Badge count={badges[path]} size="small" data-testid={`badge-${path.slice(1)}`}>
        <span className="nav-icon">{node}</span>
      </Badge>
    ) : (
      node
    );
  const unsent = () => socket.outbox.list().length;
  return (
    <div className="shell">
      <nav className="nav-rail" aria-label="Main">
        {me && (
          <button className="nav-item" onClick={() => navigate('/profile')} aria-label="Me">
            <UserAvatar name={me.nickName} src={me.headPic || undefined} size={36} />
          </button>
        )}
        {NAV.map((item) => (
          <HoverTooltip key={item.path} title={item.label} placement="right">
            <button
              className={`nav-item ${location.pathname.startsWith(item.path) ? 'active' : ''}`}
              onClick={() => navigate(item.path)}
              aria-label={badges[item.path] ? `${item.label} (${badges[item.path]} new)` : item.label}
              data-testid={`nav-${item.label.toLowerCase()}`}
            >
              {icon(item.path, item.icon)}
            </button>
          </HoverTooltip>
        ))}
        <div className="spacer" />
        <Popconfirm
          title="Log out?"
          description={unsent() ? `${unsent()} unsent message(s) on this device will be discarded.` : undefined}
          okText="Log out"
          onConfirm={signOut}
          placement="topRight"
          okButtonProps={{ id: 'logout-confirm' }}
        >
          <button className="nav-item" aria-label="Log out" data-testid="logout">
            <LogoutOutlined />
          </button>
        </Popconfirm>
      </nav>
      <main className="main">
        <ConnectionBanner />
        <Outlet />
      </main>
    </div>
  );
}
