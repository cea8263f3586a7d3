/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the client on :5173 and forwards the API and the socket to a gateway on
// :3005 (`cargo run`), so both run side by side while developing.
const api = 'http://127.0.0.1:3005';
// API prefixes only: `/chats` and `/favorites` are pages of the client itself.
const proxied = ['^/user/', '^/friendship/', '^/friend_request/', '^/chatroom(/|$)', '^/favorite/', '^/storage/', '^/health$'];

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      ...Object.fromEntries(proxied.map((path) => [path, api])),
      '^/chat$': { target: api, ws: true },
    },
  },
  build: {
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
