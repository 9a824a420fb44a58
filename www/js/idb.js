// The page's one IndexedDB database: the outbox of finished annotations and
// the journal of batches, so that a reload resumes where the annotator was.
//
// Stores:
//   annotations  keyPath "id" (the annotation's UUID); indexes "state", "key"
//                {id, key, seq, endpoint, record, submission, state, attempts,
//                 error, created, sent_at, sig}
//   batches      autoIncrement; index "key"   {key, batch, created}
// `key` is `${task_id}|${annotator}`.

const DB_NAME = 'prefkit';
const DB_VERSION = 1;

let opening = null;

/** Opens (once) and returns the database. */
export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('annotations')) {
          const s = db.createObjectStore('annotations', { keyPath: 'id' });
          s.createIndex('state', 'state');
          s.createIndex('key', 'key');
        }
        if (!db.objectStoreNames.contains('batches')) {
          const s = db.createObjectStore('batches', { autoIncrement: true });
          s.createIndex('key', 'key');
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the page\'s storage is blocked by another open tab of an older version; close it and reload'));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

/** Wraps an IDBRequest in a promise. */
export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when the transaction has committed (data is durable). */
export function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('storage transaction aborted'));
  });
}

/** All values of `store` whose index `index` equals `value`. */
export async function getAllBy(storeName, index, value) {
  const db = await openDb();
  const tx = db.transaction(storeName, 'readonly');
  return request(tx.objectStore(storeName).index(index).getAll(value));
}
