import { TeamOutlined } from '@ant-design/icons';
import { Avatar } from 'antd';

const COLORS = ['#f56a00', '#7265e6', '#ffbf00', '#00a2ae', '#87d068', '#1677ff', '#eb2f96', '#13c2c2'];

function colorOf(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length];
}

/** A person's picture, or the first letter of their name on a colour of its own. */
export function UserAvatar({ name, src, size = 40, group = false }: { name: string; src?: string; size?: number; group?: boolean }) {
  if (src) return <Avatar src={src} size={size} alt={name} />;
  if (group) return <Avatar size={size} icon={<TeamOutlined />} style={{ background: colorOf(name) }} />;
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <Avatar size={size} style={{ background: colorOf(name), flex: 'none' }}>
      {initial}
    </Avatar>
  );
}
