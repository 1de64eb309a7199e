//! The HTTP client of the process that uses it. A forked child (Python's `multiprocessing` forks
//! on Linux) inherits its parent's pooled connections, but not the runtime whose tasks drive
//! them, and shares their sockets with the parent: a call there would wait for an answer no
//! task reads. So a child builds its own client, with the same settings, on first use.

use std::borrow::Cow;
use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::sender::{HttpSettings, Sender};

/// The process a client was built in, its sender, and the sender a child built for itself.
#[derive(Clone)]
pub(crate) struct ProcessHttp {
    pid: u32,
    sender: Sender,
    settings: HttpSettings,
    /// Read without a lock, so one held by another thread at a fork cannot stall a child.
    child: Arc<ArcSwapOption<(u32, Sender)>>,
}

impl ProcessHttp {
    pub(crate) fn new(settings: HttpSettings, sender: Sender) -> Self {
        Self { pid: std::process::id(), sender, settings, child: Arc::default() }
    }

    /// The sender of this process: the one built with the client, or in a forked child the
    /// child's own.
    pub(crate) fn sender(&self) -> Result<Cow<'_, Sender>, String> {
        let pid = std::process::id();
        if pid == self.pid {
            return Ok(Cow::Borrowed(&self.sender));
        }
        if let Some(built) = self.child.load().as_ref().filter(|built| built.0 == pid) {
            return Ok(Cow::Owned(built.1.clone()));
        }
        // Two threads of a new child may both build one; the last kept is as good.
        let (_, sender) = self.settings.build()?;
        self.child.store(Some(Arc::new((pid, sender.clone()))));
        Ok(Cow::Owned(sender))
    }
}
