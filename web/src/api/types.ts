// The shapes of docs/API.md, as the client uses them.

export interface Profile {
  id: number;
  username: string;
  nickName: string;
  email: string;
  headPic: string;
  createTime: string;
}

export interface UserSummary {
  id: number;
  username: string;
  nickName: string;
  headPic: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: { field: string; message: string }[];
}

export interface FriendRequest {
  id: number;
  fromUser: UserSummary;
  toUser: UserSummary;
  reason: string;
  /** 0 pending, 1 agreed, 2 rejected */
  status: number;
  createTime: string;
}

export interface FriendRequests {
  toMe: FriendRequest[];
  fromMe: FriendRequest[];
  totalToMe: number;
  totalFromMe: number;
  page: number;
  pageSize: number;
}

export type MessageType = 'text' | 'image' | 'file';

export interface ChatMessage {
  id: number;
  chatroomId: number;
  seq: number;
  type: MessageType;
  content: string;
  createTime: string;
  sender: UserSummary;
  clientId: string;
}

export type RoomType = 'direct' | 'group';

export interface RoomListItem {
  id: number;
  name: string;
  type: RoomType;
  userCount: number;
  lastMessage: ChatMessage | null;
  unreadCount: number;
  updateTime: string;
  /** The other member of a direct room; null in a group (API.md §7). */
  peer: UserSummary | null;
}

export interface RoomInfo {
  id: number;
  name: string;
  type: RoomType;
  ownerId: number | null;
  userCount: number;
  createTime: string;
}

export interface History {
  items: ChatMessage[];
  hasMore: boolean;
}

export interface Favorite {
  id: number;
  chatHistoryId: number;
  createTime: string;
}

export interface FavoriteItem {
  id: number;
  createTime: string;
  message: ChatMessage;
  chatroom: { id: number; name: string };
}

/** `/storage/info/<key>`: what a download of an object would give, without its bytes. */
export interface ObjectInfo {
  name: string;
  size: number;
  contentType: string;
}

export interface Presigned {
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  url: string;
  key: string;
  expiresIn: number;
}
