import { LogoutOutlined, MessageOutlined, StarOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../session';
import { UserAvatar } from './UserAvatar';

const NAV = [
  { path: '/chats', label: 'Chats', icon: <MessageOutlined /> },
  { path: '/friends', label: 'Friends', icon: <TeamOutlined /> },
  { path: '/favorites', label: 'Favorites', icon: <StarOutlined /> },
  { path: '/profile', label: 'Profile', icon: <UserOutlined /> },
];

export function AppLayout() {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  return (
    <div className="shell">
      <nav className="nav-rail" aria-label="Main">
        {me && (
          <button className="nav-item" onClick={() => navigate('/profile')} aria-label="Me">
            <UserAvatar name={me.nickName} src={me.headPic || undefined} size={36} />
          </button>
        )}
        {NAV.map((item) => (
          <Tooltip key={item.path} title={item.label} placement="right">
            <button
              className={`nav-item ${location.pathname.startsWith(item.path) ? 'active' : ''}`}
              onClick={() => navigate(item.path)}
              aria-label={item.label}
              data-testid={`nav-${item.label.toLowerCase()}`}
            >
              {item.icon}
            </button>
          </Tooltip>
        ))}
        <div className="spacer" />
        <Tooltip title="Log out" placement="right">
          <button className="nav-item" onClick={signOut} aria-label="Log out" data-testid="logout">
            <LogoutOutlined />
          </button>
        </Tooltip>
      </nav>
      <main className="main">
        <Outlet />
      </main>
    </div>
  );
}
