import { Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AppLayout } from './components/AppLayout';
import { ChatsPage } from './pages/Chats';
import { FavoritesPage } from './pages/Favorites';
import { ForgotPage } from './pages/Forgot';
import { FriendsPage } from './pages/Friends';
import { LoginPage } from './pages/Login';
import { ProfilePage } from './pages/Profile';
import { RegisterPage } from './pages/Register';
import { useSession } from './session';

function RequireUser({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Spin fullscreen tip="Loading…" />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function GuestOnly({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  if (loading) return <Spin fullscreen tip="Loading…" />;
  if (me) return <Navigate to="/chats" replace />;
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<GuestOnly><LoginPage /></GuestOnly>} />
      <Route path="/register" element={<GuestOnly><RegisterPage /></GuestOnly>} />
      <Route path="/forgot" element={<GuestOnly><ForgotPage /></GuestOnly>} />
      <Route element={<RequireUser><AppLayout /></RequireUser>}>
        <Route path="/chats" element={<ChatsPage />} />
        <Route path="/chats/:roomId" element={<ChatsPage />} />
        <Route path="/friends" element={<FriendsPage />} />
        <Route path="/favorites" element={<FavoritesPage />} />
        <Route path="/profile" element={<ProfilePage />} />
      </Route>
      <Route path="*" element={<Navigate to="/chats" replace />} />
    </Routes>
  );
}
