// Uploads a file: presign, then PUT the bytes to the returned URL with the returned headers.
// The PUT goes to S3 or to the gateway's local store; no token travels with it.
import axios from 'axios';
import { storage } from './endpoints';
import { ApiError } from './http';

export async function uploadFile(
  file: File,
  purpose: 'avatar' | 'attachment',
  onProgress?: (percent: number) => void,
): Promise<string> {
  const grant = await storage.presign({
    filename: file.name || 'file',
    contentType: file.type || 'application/octet-stream',
    size: file.size,
    purpose,
  }, { silent: true }); // the caller shows what went wrong, once
  try {
    await axios.put(grant.uploadUrl, file, {
      headers: grant.headers,
      onUploadProgress: (event) => {
        if (event.total) onProgress?.(Math.round((event.loaded / event.total) * 100));
      },
    });
  } catch (error) {
    const status = axios.isAxiosError(error) ? (error.response?.status ?? 0) : 0;
    throw new ApiError(status, 'upload_failed', 'The upload failed. Please try again.');
  }
  onProgress?.(100);
  return grant.url;
}
