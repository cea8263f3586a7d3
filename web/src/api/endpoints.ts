// Every route the client uses, typed. `configure()` installs the Api made at start-up.
import type { Api, RequestOptions } from './http';
import type {
  ChatMessage,
  Favorite,
  FavoriteItem,
  FriendRequest,
  FriendRequests,
  History,
  MessageType,
  ObjectInfo,
  Page,
  Presigned,
  Profile,
  RoomInfo,
  RoomListItem,
  UserSummary,
} from './types';

let api: Api | null = null;

export function configure(next: Api) {
  api = next;
}

function http() {
  if (!api) throw new Error('the API client is not configured');
  return api.http;
}

async function get<T>(url: string, options?: RequestOptions): Promise<T> {
  return (await http().get<T>(url, options)).data;
}

async function post<T>(url: string, body?: unknown, options?: RequestOptions): Promise<T> {
  return (await http().post<T>(url, body ?? {}, options)).data;
}

async function del<T>(url: string, options?: RequestOptions): Promise<T> {
  return (await http().delete<T>(url, options)).data;
}

export const user = {
  registerCaptcha: (address: string, options?: RequestOptions) =>
    get<{ sent: boolean }>('/user/register-captcha', { params: { address }, ...options }),
  register: (body: { username: string; nickName: string; password: string; email: string; captcha: string }, options?: RequestOptions) =>
    post<Profile>('/user/register', body, options),
  login: (body: { username: string; password: string }, options?: RequestOptions) =>
    post<{ user: Profile; token: string }>('/user/login', body, options),
  info: (options?: RequestOptions) => get<Profile>('/user/info', options),
  /** The code that lets `update` change the e-mail to `address` (mailed to that address). */
  updateCaptcha: (address: string) => get<{ sent: boolean }>('/user/update/captcha', { params: { address } }),
  update: (body: { nickName?: string; headPic?: string; email?: string; captcha?: string }, options?: RequestOptions) =>
    post<Profile>('/user/update', body, options),
  passwordCaptcha: (address: string) =>
    get<{ sent: boolean }>('/user/update_password/captcha', { params: { address } }),
  resetPassword: (body: { username: string; email: string; password: string; captcha: string }, options?: RequestOptions) =>
    post<{ updated: boolean }>('/user/update_password', body, options),
  search: (q: string, options?: RequestOptions) =>
    get<Page<UserSummary>>('/user/search', { params: { q, pageSize: 20 }, ...options }),
};

export const friends = {
  list: (name?: string, options?: RequestOptions) =>
    get<Page<UserSummary>>('/friendship/list', { params: { name: name || undefined, pageSize: 100 }, ...options }),
  /** Silent: the caller tells "already asked" apart from real errors. */
  add: (username: string, reason: string) => post<FriendRequest>('/friendship/add', { username, reason }, { silent: true }),
  remove: (friendId: number) => del<{ deleted: boolean }>(`/friendship/${friendId}`),
  requests: (options?: RequestOptions) =>
    get<FriendRequests>('/friend_request/list', { params: { pageSize: 100 }, ...options }),
  agree: (id: number) => post<FriendRequest>(`/friend_request/agree/${id}`),
  reject: (id: number) => post<FriendRequest>(`/friend_request/reject/${id}`),
};

export const rooms = {
  list: (name?: string, options?: RequestOptions) =>
    get<Page<RoomListItem>>('/chatroom/list', { params: { name: name || undefined, pageSize: 100 }, ...options }),
  direct: (friendId: number) => post<RoomInfo>('/chatroom/create-one-to-one', { friendId }),
  createGroup: (name: string, memberIds: number[]) => post<RoomInfo>('/chatroom/create-group', { name, memberIds }),
  info: (id: number, options?: RequestOptions) => get<RoomInfo>(`/chatroom/${id}`, options),
  members: (id: number, options?: RequestOptions) =>
    get<Page<UserSummary>>(`/chatroom/${id}/members`, { params: { pageSize: 100 }, ...options }),
  invite: (id: number, username: string) => post<RoomInfo>(`/chatroom/${id}/join`, { username }),
  exit: (id: number) => post<{ left: boolean }>(`/chatroom/${id}/exit`),
  history: (id: number, cursor: { beforeSeq?: number; afterSeq?: number; limit?: number }, options?: RequestOptions) =>
    get<History>(`/chatroom/${id}/messages`, { params: cursor, ...options }),
  read: (id: number, seq: number) => post<{ chatroomId: number; lastReadSeq: number }>(`/chatroom/${id}/read`, { seq }, { silent: true }),
  send: (id: number, clientId: string, type: MessageType, content: string, options?: RequestOptions) =>
    post<ChatMessage>(`/chatroom/${id}/messages`, { clientId, type, content }, options),
};

export const favorites = {
  add: (chatHistoryId: number) => post<Favorite>('/favorite/add', undefined, { params: { chatHistoryId } }),
  remove: (id: number) => del<{ deleted: boolean }>(`/favorite/${id}`),
  list: (page: number, pageSize: number, options?: RequestOptions) =>
    get<Page<FavoriteItem>>('/favorite/list', { params: { page, pageSize }, ...options }),
};

export const storage = {
  presign: (body: { filename: string; contentType: string; size: number; purpose: 'avatar' | 'attachment' }, options?: RequestOptions) =>
    post<Presigned>('/storage/presign', body, options),
  /** `key` as it appears in an object URL (already percent-encoded). */
  info: (key: string, options?: RequestOptions) => get<ObjectInfo>(`/storage/info/${key}`, options),
};
