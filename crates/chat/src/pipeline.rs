//! The write pipeline: every send, from a socket or over HTTP, goes into a bounded queue; a
//! writer takes whatever has gathered (up to a bound) and stores it in one transaction
//! (`store_in`), answers each sender, then hands the new messages to the `Stored` port to be
//! published. The next batch gathers while one commits and during its own `BEGIN`, so batches
//! grow with load and a lone message still goes at once. Rooms are shared out among the writers
//! by id, so one room's messages always pass through one writer, in the order they were queued.
use crate::batch::{Answers, InsertedIds, Outgoing, store_in};
use crate::error::ChatError;
use crate::known_senders::{KnownSenders, ProfileChanges};
use crate::message::ChatMessage;
use crate::types::Posted;
use async_trait::async_trait;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// Where newly stored messages go after their commit (the gateway publishes them). Called by one
/// writer at a time per room, in seq order; waiting here slows the writer down, never a socket.
#[async_trait]
pub trait Stored: Send + Sync {
    async fn stored(&self, messages: Vec<ChatMessage>);
    /// Messages stored by an earlier batch whose clientId came again: published once more,
    /// since the first publish may have been lost (a sender retries when it got no answer).
    async fn repeated(&self, _messages: Vec<ChatMessage>) {}
}

/// Publishes nothing: for tools and tests that store messages no socket is waiting for.
pub struct Unpublished;

#[async_trait]
impl Stored for Unpublished {
    async fn stored(&self, _: Vec<ChatMessage>) {}
}

/// How the pipeline is sized.
#[derive(Clone, Copy, Debug)]
pub struct PipelineConfig {
    /// Writers, each with its own share of the rooms (and a database connection while it stores).
    pub writers: usize,
    /// Sends waiting per writer; a full queue refuses with `ChatError::Busy`.
    pub queue: usize,
    /// Most sends stored in one transaction (at most `MAX_BATCH`).
    pub max_batch: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            writers: 1,
            queue: 16_384,
            max_batch: MAX_BATCH,
        }
    }
}

/// The most sends one transaction stores: eight values a row stay well inside SQLite's 32,766
/// and MySQL's 65,535 placeholders per statement.
pub const MAX_BATCH: usize = 1024;

/// The answer to one send, once its batch has committed.
pub type Reply = oneshot::Receiver<Result<Posted, ChatError>>;

struct Job {
    send: Outgoing,
    reply: oneshot::Sender<Result<Posted, ChatError>>,
}

/// The way into the pipeline; cheap to clone.
#[derive(Clone)]
pub struct SendQueue {
    writers: Arc<[mpsc::Sender<Job>]>,
    /// Tells the writers to take no more sends and finish what is queued.
    stop: Arc<watch::Sender<bool>>,
    /// The running writers (those `start` spawned), to wait for at shutdown.
    running: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
    /// Counts the profile changes made on this gateway: each makes the writers read the
    /// senders' summaries again (see `known_senders`).
    profile_changes: ProfileChanges,
}

/// One writer's loop, to be spawned (`SendQueue::start` does it; tests may hold it back to fill
/// the queue first).
pub struct Writer {
    db: DatabaseConnection,
    jobs: mpsc::Receiver<Job>,
    stop: watch::Receiver<bool>,
    sink: Arc<dyn Stored>,
    max_batch: usize,
    /// Asked of the database as the writer starts (and turned to `ReadBack` should the server
    /// refuse `RETURNING` later).
    ids: InsertedIds,
    /// The summaries of recent senders, so that a batch's lock need not read them again.
    senders: KnownSenders,
}

impl SendQueue {
    /// The queue and its writers, not yet running.
    pub fn new(
        db: DatabaseConnection,
        config: PipelineConfig,
        sink: Arc<dyn Stored>,
    ) -> (Self, Vec<Writer>) {
        let (stop, stopped) = watch::channel(false);
        let profile_changes = ProfileChanges::default();
        let (senders, writers) = (0..config.writers.max(1))
            .map(|_| {
                let (tx, jobs) = mpsc::channel(config.queue.max(1));
                let writer = Writer {
                    db: db.clone(),
                    jobs,
                    stop: stopped.clone(),
                    sink: sink.clone(),
                    max_batch: config.max_batch.clamp(1, MAX_BATCH),
                    ids: InsertedIds::ReadBack,
                    senders: KnownSenders::new(profile_changes.clone()),
                };
                (tx, writer)
            })
            .unzip::<_, _, Vec<_>, Vec<_>>();
        (
            Self {
                writers: senders.into(),
                stop: Arc::new(stop),
                running: Arc::default(),
                profile_changes,
            },
            writers,
        )
    }

    /// A running queue whose messages are published nowhere (see `Unpublished`).
    pub fn start_unpublished(db: DatabaseConnection) -> Self {
        Self::start(db, PipelineConfig::default(), Arc::new(Unpublished))
    }

    /// The queue with its writers running on the current tokio runtime.
    pub fn start(db: DatabaseConnection, config: PipelineConfig, sink: Arc<dyn Stored>) -> Self {
        let (queue, writers) = Self::new(db, config, sink);
        let handles = writers.into_iter().map(|writer| tokio::spawn(writer.run()));
        if let Ok(mut running) = queue.running.lock() {
            running.extend(handles);
        }
        queue
    }

    /// Shutting down: new sends are refused (`Unavailable`), everything already queued is
    /// stored and handed to the `Stored` port, and this returns once the writers are done.
    pub async fn drain(&self) {
        let _ = self.stop.send(true);
        let running = match self.running.lock() {
            Ok(mut running) => std::mem::take(&mut *running),
            Err(_) => Vec::new(),
        };
        for writer in running {
            let _ = writer.await;
        }
    }

    /// A user's name or picture changed on this gateway: the writers read every sender's
    /// summary again, so that user's next message carries the new one.
    pub fn profiles_changed(&self) {
        self.profile_changes
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    fn writer_of(&self, room: i64) -> &mpsc::Sender<Job> {
        let index = room.rem_euclid(self.writers.len() as i64) as usize;
        &self.writers[index]
    }

    /// Queues a send without waiting; `Busy` when the queue is full.
    pub fn try_submit(&self, send: Outgoing) -> Result<Reply, ChatError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { send, reply };
        match self.writer_of(job.send.room).try_send(job) {
            Ok(()) => Ok(answer),
            Err(mpsc::error::TrySendError::Full(_)) => Err(ChatError::Busy),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(ChatError::Unavailable),
        }
    }

    /// Queues a send and waits for its commit; `Busy` at once when the queue is full.
    pub async fn post(&self, send: Outgoing) -> Result<Posted, ChatError> {
        answer_of(self.try_submit(send)?).await
    }
}

/// What a queued send came to.
pub async fn answer_of(reply: Reply) -> Result<Posted, ChatError> {
    reply.await.unwrap_or(Err(ChatError::Unavailable))
}

impl Writer {
    /// Runs until every `SendQueue` is gone, or `drain` was called, and the queue is empty.
    pub async fn run(mut self) {
        self.ids = InsertedIds::of(&self.db).await;
        let mut jobs = Vec::with_capacity(self.max_batch);
        let mut closed = false;
        loop {
            let taken = tokio::select! {
                biased;
                _ = self.stop.wait_for(|stop| *stop), if !closed => None,
                taken = self.jobs.recv_many(&mut jobs, self.max_batch) => Some(taken),
            };
            match taken {
                // No more sends: what is queued still gets stored, then `recv_many` says 0.
                None => {
                    self.jobs.close();
                    closed = true;
                }
                Some(0) => return,
                Some(_) => self.store(&mut jobs).await,
            }
        }
    }

    /// Stores what `jobs` holds, with what arrives while its transaction begins, and empties it
    /// (keeping its room for the next batch).
    async fn store(&mut self, jobs: &mut Vec<Job>) {
        let started = std::time::Instant::now();
        // BEGIN goes out as soon as one send is in, and the sends that come during its round
        // trip join the batch: a burst from several sockets mostly commits once, and a lone message
        // waits for nothing it would not wait for anyway.
        let begun = self.db.begin().await;
        while jobs.len() < self.max_batch {
            let Ok(job) = self.jobs.try_recv() else { break };
            jobs.push(job);
        }
        let (sends, replies): (Vec<Outgoing>, Vec<_>) =
            jobs.drain(..).map(|job| (job.send, job.reply)).unzip();
        let answers = self.store_with_retries(begun, &sends).await;
        tracing::debug!(
            size = sends.len(),
            micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "stored a batch"
        );
        let created: Vec<ChatMessage> = answers
            .iter()
            .filter_map(|answer| match answer {
                Ok(posted) if posted.created => Some(posted.message.clone()),
                _ => None,
            })
            .collect();
        let new_ids: std::collections::HashSet<i64> = created.iter().map(|m| m.id).collect();
        let mut repeated: Vec<ChatMessage> = answers
            .iter()
            .filter_map(|answer| match answer {
                Ok(posted) if !new_ids.contains(&posted.message.id) => Some(posted.message.clone()),
                _ => None,
            })
            .collect();
        repeated.sort_by_key(|m| m.id);
        repeated.dedup_by_key(|m| m.id);
        // Answered first, published second: a sender's socket has its ack in hand before its
        // own message can come back to it through the bus.
        for (reply, answer) in replies.into_iter().zip(answers) {
            // The sender may have gone (a closed socket, a client that hung up): it is stored
            // all the same, and a retry with the same clientId finds it.
            let _ = reply.send(answer);
        }
        if !created.is_empty() {
            self.sink.stored(created).await;
        }
        if !repeated.is_empty() {
            self.sink.repeated(repeated).await;
        }
    }

    /// A batch fails as a whole (nothing of it is stored): a deadlock victim, a lost race on a
    /// clientId with another gateway, a dropped connection. It is tried again, a few times.
    /// `begun` is the first try's transaction, or the error its `BEGIN` got.
    async fn store_with_retries(
        &mut self,
        mut begun: Result<DatabaseTransaction, sea_orm::DbErr>,
        sends: &[Outgoing],
    ) -> Answers {
        let mut attempt = 1;
        loop {
            let stored = match begun {
                Ok(txn) => store_in(txn, sends, &mut self.ids, &mut self.senders).await,
                Err(err) => Err(err),
            };
            match stored {
                Ok(answers) => return answers,
                Err(err) if attempt < ATTEMPTS => {
                    tracing::warn!(%err, attempt, size = sends.len(), "a message batch failed; retrying it");
                    attempt += 1;
                    begun = self.db.begin().await;
                }
                Err(err) => return failed(&err, sends.len()),
            }
        }
    }
}

/// Tries of one batch before its senders get an error.
const ATTEMPTS: u32 = 3;

fn failed(err: &sea_orm::DbErr, count: usize) -> Answers {
    tracing::error!(%err, size = count, "a message batch failed, every try");
    (0..count)
        .map(|_| Err(ChatError::Database(sea_orm::DbErr::Custom(err.to_string()))))
        .collect()
}
