//! The sandbox's store: the last messages in memory, bounded by count and by bytes (oldest
//! evicted first), and with `--maildir DIR` a copy on disk that a restarted sandbox lists again.
//!
//! On disk, each message is a Maildir file (`DIR/new/NAME`, where a mail reader may move it to
//! `DIR/cur/NAME:2,FLAGS`) and its metadata and transcript sit beside it in `DIR/mailscope/`
//! (`NAME.json`, `NAME.transcript`), outside the Maildir's own folders so mail readers ignore
//! them.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub use mailscope_core::api::{MessageMeta, StoreEvent};
use mailscope_core::mime::headline::Headline;
use serde::{Deserialize, Serialize};

/// Messages kept in memory by default (older ones are dropped).
pub const DEFAULT_KEEP: usize = 100;

/// Bytes of messages and their transcripts kept in memory by default (older messages are
/// dropped): 128 MiB.
pub const DEFAULT_MAX_BYTES: usize = 128 << 20;

/// The folder of a Maildir that holds the sandbox's metadata.
const META_DIR: &str = "mailscope";

/// A message the sandbox received: what the API lists ([`MessageMeta`]) and the bytes it
/// serves separately.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredMessage {
    /// What `/api/messages` lists (also the metadata file of a Maildir copy).
    #[serde(flatten)]
    pub meta: MessageMeta,
    /// The session up to this message, in swaks' transcript form (` -> `, `<-  `, TLS `~>`).
    #[serde(skip)]
    pub transcript: Vec<u8>,
    /// The message bytes.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// The in-memory store of received messages.
#[derive(Debug)]
pub struct Store {
    kept: Mutex<Kept>,
    next_id: AtomicU64,
    keep: usize,
    max_bytes: usize,
    maildir: Option<PathBuf>,
    events: tokio::sync::broadcast::Sender<StoreEvent>,
}

/// The messages in memory and what they cost.
#[derive(Debug, Default)]
struct Kept {
    messages: VecDeque<Arc<StoredMessage>>,
    bytes: usize,
}

/// What a message costs the store: its bytes and its transcript's.
fn cost(message: &StoredMessage) -> usize {
    message.data.len().saturating_add(message.transcript.len())
}

/// The metadata file written beside a message in a Maildir.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    /// Format of this file.
    version: u32,
    /// The message's Maildir file name (in `new/`, or `cur/` with `:2,FLAGS` appended).
    file: String,
    /// What the API lists.
    message: StoredMessage,
}

impl Store {
    /// An empty store keeping the last `keep` messages, at most `max_bytes` of messages and
    /// transcripts; with a Maildir, messages are also written there.
    pub fn new(keep: usize, max_bytes: usize, maildir: Option<PathBuf>) -> Store {
        Store {
            kept: Mutex::new(Kept::default()),
            next_id: AtomicU64::new(1),
            keep: keep.max(1),
            max_bytes,
            maildir,
            events: tokio::sync::broadcast::channel(256).0,
        }
    }

    /// A store over the Maildir `dir` that starts with the messages the sandbox wrote there
    /// before (those with metadata in `dir/mailscope/`), oldest first, within the limits; ids
    /// go on from the highest found.
    pub fn open(keep: usize, max_bytes: usize, dir: PathBuf) -> anyhow::Result<Store> {
        let found = load_maildir(&dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the sandbox's messages in the Maildir {}: {e}. Check the directory's permissions, or start without --maildir",
                dir.display()
            )
        })?;
        let store = Store::new(keep, max_bytes, Some(dir));
        let next = found.last().map_or(1, |m| m.meta.id.saturating_add(1));
        store.next_id.store(next, Ordering::Relaxed);
        if let Ok(mut kept) = store.kept.lock() {
            for message in found {
                kept.bytes = kept.bytes.saturating_add(cost(&message));
                kept.messages.push_back(Arc::new(message));
            }
            store.evict(&mut kept);
        }
        Ok(store)
    }

    /// Changes from now on (a slow reader misses the oldest and should reload the list).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// All kept messages, oldest first.
    pub fn list(&self) -> Vec<Arc<StoredMessage>> {
        self.kept
            .lock()
            .map(|k| k.messages.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Bytes of messages and transcripts kept in memory.
    pub fn bytes(&self) -> usize {
        self.kept.lock().map(|k| k.bytes).unwrap_or_default()
    }

    /// One message.
    pub fn get(&self, id: u64) -> Option<Arc<StoredMessage>> {
        self.kept
            .lock()
            .ok()?
            .messages
            .iter()
            .find(|m| m.meta.id == id)
            .cloned()
    }

    /// Removes one message (and its Maildir copy); false when there was none.
    pub fn delete(&self, id: u64) -> bool {
        let Ok(mut kept) = self.kept.lock() else {
            return false;
        };
        let Some(at) = kept.messages.iter().position(|m| m.meta.id == id) else {
            return false;
        };
        if let Some(old) = kept.messages.remove(at) {
            kept.bytes = kept.bytes.saturating_sub(cost(&old));
        }
        drop(kept);
        if let Some(dir) = &self.maildir {
            remove_from_maildir(dir, Some(id));
        }
        let _ = self.events.send(StoreEvent::Deleted { id });
        true
    }

    /// Removes all messages (and the sandbox's messages in the Maildir).
    pub fn clear(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Kept::default();
        }
        if let Some(dir) = &self.maildir {
            remove_from_maildir(dir, None);
        }
        let _ = self.events.send(StoreEvent::Cleared);
    }

    /// Keeps `message` (newest), dropping the oldest past the count or byte limit; returns its id.
    pub(super) fn add(&self, mut message: StoredMessage) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        message.meta.id = id;
        message.meta.headline = Some(Headline::read(&message.data));
        if let Some(dir) = &self.maildir {
            if let Err(e) = deliver_maildir(dir, &message) {
                tracing::warn!(error = %e, dir = %dir.display(), "sandbox: Maildir delivery failed");
            }
        }
        if let Ok(mut kept) = self.kept.lock() {
            kept.bytes = kept.bytes.saturating_add(cost(&message));
            kept.messages.push_back(Arc::new(message));
            let _ = self.events.send(StoreEvent::Message { id });
            self.evict(&mut kept);
        }
        id
    }

    /// Replaces the transcript of the messages `ids` (those still kept) with `transcript`: the
    /// whole session once it has ended, where they were stored with the session up to their
    /// `250` and [`mailscope_core::smtp::transcript::OPEN_NOTE`]. The Maildir copy follows.
    pub(super) fn finish_transcript(&self, ids: &[u64], transcript: &[u8]) {
        if ids.is_empty() {
            return;
        }
        if let Ok(mut kept) = self.kept.lock() {
            let Kept { messages, bytes } = &mut *kept;
            for message in messages.iter_mut().filter(|m| ids.contains(&m.meta.id)) {
                let message = Arc::make_mut(message);
                *bytes = bytes
                    .saturating_sub(message.transcript.len())
                    .saturating_add(transcript.len());
                message.transcript = transcript.to_vec();
            }
            self.evict(&mut kept);
        }
        if let Some(dir) = &self.maildir {
            if let Err(e) = rewrite_transcripts(dir, ids, transcript) {
                tracing::warn!(error = %e, dir = %dir.display(), "sandbox: cannot update a transcript in the Maildir");
            }
        }
    }

    /// Drops the oldest messages until the count and byte limits hold; the newest stays even
    /// when it alone is over the byte limit (its client had a 250).
    fn evict(&self, kept: &mut Kept) {
        while kept.messages.len() > self.keep
            || (kept.bytes > self.max_bytes && kept.messages.len() > 1)
        {
            let Some(old) = kept.messages.pop_front() else {
                return;
            };
            kept.bytes = kept.bytes.saturating_sub(cost(&old));
            let _ = self.events.send(StoreEvent::Deleted { id: old.meta.id });
        }
    }
}

/// Writes `message` into the Maildir `dir` (tmp/ then rename to new/) and its metadata and
/// transcript into `dir/mailscope/`.
fn deliver_maildir(dir: &Path, message: &StoredMessage) -> anyhow::Result<()> {
    for sub in ["tmp", "new", "cur", META_DIR] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let name = format!(
        "{}.M{}P{}Q{}.mailscope",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        message.meta.id
    );
    let meta = dir.join(META_DIR);
    std::fs::write(meta.join(format!("{name}.transcript")), &message.transcript)?;
    let json = serde_json::to_vec_pretty(&Meta {
        version: 1,
        file: name.clone(),
        message: message.clone(),
    })?;
    let tmp = dir.join("tmp").join(&name);
    std::fs::write(&tmp, &message.data)?;
    std::fs::rename(tmp, dir.join("new").join(&name))?;
    // The metadata last: a message is listed again only once all of it is on disk.
    let tmp = dir.join("tmp").join(format!("{name}.json"));
    std::fs::write(&tmp, json)?;
    std::fs::rename(tmp, meta.join(format!("{name}.json")))?;
    Ok(())
}

/// Writes `transcript` as the transcript file of the messages `ids` in the Maildir `dir`.
fn rewrite_transcripts(dir: &Path, ids: &[u64], transcript: &[u8]) -> std::io::Result<()> {
    for (_, meta) in metadata(dir)? {
        if ids.contains(&meta.message.meta.id) {
            let path = dir.join(META_DIR).join(format!("{}.transcript", meta.file));
            let tmp = dir.join("tmp").join(format!("{}.transcript", meta.file));
            std::fs::write(&tmp, transcript)?;
            std::fs::rename(tmp, path)?;
        }
    }
    Ok(())
}

/// The metadata files in `dir/mailscope/` with what they say.
fn metadata(dir: &Path) -> std::io::Result<Vec<(PathBuf, Meta)>> {
    let entries = match std::fs::read_dir(dir.join(META_DIR)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        match std::fs::read(&path)
            .map_err(anyhow::Error::from)
            .and_then(|b| Ok(serde_json::from_slice::<Meta>(&b)?))
        {
            Ok(meta) => found.push((path, meta)),
            Err(e) => {
                tracing::warn!(error = %e, file = %path.display(), "sandbox: unreadable message metadata skipped");
            }
        }
    }
    Ok(found)
}

/// The Maildir file of `name`: `new/NAME`, or `cur/NAME:2,…` once a mail reader has seen it.
fn message_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let new = dir.join("new").join(name);
    if new.is_file() {
        return Some(new);
    }
    std::fs::read_dir(dir.join("cur"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name().and_then(|f| f.to_str()).is_some_and(|f| {
                f == name || f.strip_prefix(name).is_some_and(|r| r.starts_with(":2,"))
            })
        })
}

/// The sandbox's messages in the Maildir `dir`, oldest (lowest id) first. A message whose file
/// was deleted from the Maildir is skipped.
fn load_maildir(dir: &Path) -> std::io::Result<Vec<StoredMessage>> {
    let mut messages = Vec::new();
    for (path, meta) in metadata(dir)? {
        let Some(file) = message_file(dir, &meta.file) else {
            tracing::info!(file = %meta.file, "sandbox: a message listed in the Maildir's metadata is gone; skipped");
            continue;
        };
        let mut message = meta.message;
        message.data = std::fs::read(file)?;
        message.meta.size = message.data.len();
        message.meta.headline = Some(Headline::read(&message.data));
        message.transcript = std::fs::read(path.with_extension("transcript")).unwrap_or_default();
        messages.push(message);
    }
    messages.sort_by_key(|m| m.meta.id);
    Ok(messages)
}

/// Removes the sandbox's message `id` (all of them for `None`) from the Maildir `dir`: the
/// message file, its metadata and transcript.
fn remove_from_maildir(dir: &Path, id: Option<u64>) {
    let Ok(found) = metadata(dir) else {
        return;
    };
    for (path, meta) in found {
        if id.is_some_and(|id| id != meta.message.meta.id) {
            continue;
        }
        if let Some(file) = message_file(dir, &meta.file) {
            let _ = std::fs::remove_file(file);
        }
        let _ = std::fs::remove_file(path.with_extension("transcript"));
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(q: &str, size: usize) -> StoredMessage {
        StoredMessage {
            meta: MessageMeta {
                id: 0,
                received_at: String::new(),
                queue_id: q.into(),
                envelope: mailscope_core::smtp::session::Envelope {
                    from: String::new(),
                    params: Default::default(),
                    rcpts: Vec::new(),
                },
                tls: false,
                tls_version: None,
                auth_user: None,
                helo: None,
                peer: String::new(),
                bdat: false,
                size,
                lints: Vec::new(),
                headline: None,
            },
            transcript: b"<-  220 hi\n".to_vec(),
            data: vec![b'x'; size],
        }
    }

    #[test]
    fn a_finished_session_replaces_the_transcript_in_memory_and_on_disk() {
        let dir =
            std::env::temp_dir().join(format!("mailscope-store-finish-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::new(10, DEFAULT_MAX_BYTES, Some(dir.clone()));
        let (a, b) = (store.add(msg("a", 10)), store.add(msg("b", 10)));
        let before = store.bytes();
        let whole = b"<-  220 hi\n -> QUIT\n<-  221 bye\n";
        store.finish_transcript(&[a], whole);
        assert_eq!(store.get(a).unwrap().transcript, whole);
        assert_eq!(
            store.get(b).unwrap().transcript,
            b"<-  220 hi\n",
            "only the session's own"
        );
        assert_eq!(store.bytes(), before + whole.len() - b"<-  220 hi\n".len());
        let reopened = Store::open(10, DEFAULT_MAX_BYTES, dir.clone()).unwrap();
        assert_eq!(
            reopened.get(a).unwrap().transcript,
            whole,
            "the Maildir copy follows"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn store_keeps_the_last_n() {
        let store = Store::new(2, DEFAULT_MAX_BYTES, None);
        for q in ["a", "b", "c"] {
            store.add(msg(q, 0));
        }
        let ids: Vec<u64> = store.list().iter().map(|m| m.meta.id).collect();
        assert_eq!(ids, vec![2, 3]);
        assert!(store.delete(2));
        assert!(!store.delete(2));
        assert_eq!(
            store.get(3).map(|m| m.meta.queue_id.clone()).as_deref(),
            Some("c")
        );
        store.clear();
        assert!(store.list().is_empty());
        assert_eq!(store.bytes(), 0);
    }

    #[test]
    fn store_keeps_at_most_max_bytes_oldest_dropped() {
        let store = Store::new(100, 10_000, None);
        let mut events = store.subscribe();
        for q in 0..10 {
            store.add(msg(&q.to_string(), 3_000));
            assert!(store.bytes() <= 10_000, "{}", store.bytes());
        }
        let kept: Vec<String> = store
            .list()
            .iter()
            .map(|m| m.meta.queue_id.clone())
            .collect();
        assert_eq!(kept, ["7", "8", "9"]);
        let listed: usize = store.list().iter().map(|m| cost(m)).sum();
        assert_eq!(store.bytes(), listed);
        let mut deleted = Vec::new();
        while let Ok(e) = events.try_recv() {
            if let StoreEvent::Deleted { id } = e {
                deleted.push(id);
            }
        }
        assert_eq!(deleted, (1..=7).collect::<Vec<u64>>());
        // A message over the limit on its own is kept (its client had a 250), alone.
        store.add(msg("big", 20_000));
        let kept: Vec<String> = store
            .list()
            .iter()
            .map(|m| m.meta.queue_id.clone())
            .collect();
        assert_eq!(kept, ["big"]);
        store.delete(11);
        assert_eq!(store.bytes(), 0);
    }

    #[test]
    fn maildir_round_trip_in_order() {
        let dir = std::env::temp_dir().join(format!(
            "mailscope-store-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(100, DEFAULT_MAX_BYTES, dir.clone()).unwrap();
        for q in ["a", "b", "c", "d"] {
            store.add(msg(q, 10));
        }
        assert!(store.delete(2));
        // A mail reader moved the first to cur/ with flags.
        let meta = metadata(&dir).unwrap();
        let first = meta.iter().find(|(_, m)| m.message.meta.id == 1).unwrap();
        std::fs::rename(
            dir.join("new").join(&first.1.file),
            dir.join("cur").join(format!("{}:2,S", first.1.file)),
        )
        .unwrap();
        let again = Store::open(100, DEFAULT_MAX_BYTES, dir.clone()).unwrap();
        let got: Vec<(u64, String, usize)> = again
            .list()
            .iter()
            .map(|m| (m.meta.id, m.meta.queue_id.clone(), m.data.len()))
            .collect();
        assert_eq!(
            got,
            [
                (1, "a".into(), 10),
                (3, "c".into(), 10),
                (4, "d".into(), 10)
            ]
        );
        assert_eq!(again.get(3).unwrap().transcript, b"<-  220 hi\n");
        assert_eq!(again.add(msg("e", 1)), 5, "ids go on");
        // Limits apply to what is loaded.
        let two = Store::open(2, DEFAULT_MAX_BYTES, dir.clone()).unwrap();
        let ids: Vec<u64> = two.list().iter().map(|m| m.meta.id).collect();
        assert_eq!(ids, [4, 5]);
        two.clear();
        assert!(Store::open(100, DEFAULT_MAX_BYTES, dir.clone())
            .unwrap()
            .list()
            .is_empty());
        assert_eq!(std::fs::read_dir(dir.join("new")).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
