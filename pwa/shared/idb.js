/**
 * The few IndexedDB calls Sereno's front ends need, as promises.
 *
 * Hand-written rather than vendoring idb/idb-keyval: it is 50 lines, needs no build step, and the outbox
 * wants one thing those helpers hide: `durability: "strict"` on the writes that must survive a crash.
 */

/** Open (and create or upgrade) a database; `upgrade(db, oldVersion)` creates the stores. */
export function openDb(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgraded the schema: let it, this tab reopens on its next reload.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
  });
}

/**
 * Run `fn(store)` in one transaction; resolves with the result of the request `fn` returns, once the
 * transaction has committed (not merely when the request succeeded), so a resolved write is on disk.
 */
export function run(db, storeName, mode, fn) {
  return new Promise((resolve, reject) => {
    const options = mode === 'readwrite' ? { durability: 'strict' } : undefined;
    const tx = db.transaction(storeName, mode, options);
    let result;
    const req = fn(tx.objectStore(storeName));
    if (req) req.onsuccess = () => { result = req.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
  });
}

export const get = (db, store, key) => run(db, store, 'readonly', (s) => s.get(key));
export const getAll = (db, store) => run(db, store, 'readonly', (s) => s.getAll());
export const put = (db, store, value) => run(db, store, 'readwrite', (s) => s.put(value));
export const del = (db, store, key) => run(db, store, 'readwrite', (s) => s.delete(key));
