//! The hub's side of the bus: which rooms this gateway wants to hear. With Redis the requests go
//! to the subscriber task (ws/bus.rs), which follows them on its connection; in one process
//! every event reaches the hub anyway.
use tokio::sync::{mpsc, oneshot};

pub enum SubCommand {
    Subscribe {
        room: i64,
        done: Option<oneshot::Sender<()>>,
    },
    Unsubscribe {
        room: i64,
    },
}

/// The hub's side of the bus: which rooms this gateway wants to hear.
pub struct Subscriptions {
    redis: Option<mpsc::UnboundedSender<SubCommand>>,
}

impl Subscriptions {
    /// One process: every event reaches the hub, there is nothing to subscribe to.
    pub fn local() -> Self {
        Self { redis: None }
    }

    /// Redis: the commands go to the subscriber task, which reads them from the receiver.
    pub fn redis() -> (Self, mpsc::UnboundedReceiver<SubCommand>) {
        let (commands, receiver) = mpsc::unbounded_channel();
        (
            Self {
                redis: Some(commands),
            },
            receiver,
        )
    }

    /// `done` resolves once the room's messages reach this gateway.
    pub fn subscribe(&self, room: i64, done: Option<oneshot::Sender<()>>) {
        match &self.redis {
            Some(commands) => {
                let _ = commands.send(SubCommand::Subscribe { room, done });
            }
            None => {
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
        }
    }

    pub fn unsubscribe(&self, room: i64) {
        if let Some(commands) = &self.redis {
            let _ = commands.send(SubCommand::Unsubscribe { room });
        }
    }
}
