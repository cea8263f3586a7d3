// What the server says of an uploaded object (name, size, type), asked once per object and page:
// objects never change once written.
import { useEffect, useState } from 'react';
import { objectKey } from '../util/size';
import { storage } from './endpoints';
import type { ObjectInfo } from './types';

const known = new Map<string, Promise<ObjectInfo | null>>();

function lookUp(key: string): Promise<ObjectInfo | null> {
  let pending = known.get(key);
  if (!pending) {
    // Silent: the size is a nicety; a missing object or a failed store shows the name alone.
    pending = storage.info(key, { silent: true }).catch(() => {
      known.delete(key); // offline or gone: ask again next time it is shown
      return null;
    });
    known.set(key, pending);
  }
  return pending;
}

/** The object behind `url`, once the server has answered (null before, or if it cannot). */
export function useObjectInfo(url: string): ObjectInfo | null {
  const [info, setInfo] = useState<ObjectInfo | null>(null);
  useEffect(() => {
    const key = objectKey(url);
    if (!key) return;
    let live = true;
    void lookUp(key).then((value) => {
      if (live) setInfo(value);
    });
    return () => {
      live = false;
    };
  }, [url]);
  return info;
}
