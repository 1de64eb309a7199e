//! A client's senders: one for each process and Tokio runtime that calls it.
//!
//! A pooled connection is a task of the runtime that opened it, and is only read and written
//! while that runtime runs. One pool shared by two runtimes hangs: a call from the second picks
//! a connection whose task lives on the first, which may be idle in a `block_on` that has
//! returned, or gone (`#[tokio::test]`s sharing a client, a binding thread's own runtime). So each
//! runtime gets its own pool, all of them sharing the client's settings and TLS configuration.
//!
//! A forked child inherits its parent's pooled connections but not the runtime whose tasks drive
//! them, and shares their sockets with the parent: the process is part of the key, so a child
//! builds its own too (the rule of [`crate::forks`]).

use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::runtime::{Handle, Id};

use crate::forks::Born;
use crate::transport::sender::{HttpSettings, Sender};

/// Runtimes are not told when one ends, so the oldest sender goes once this many are kept. A
/// sender of a finished runtime holds only its dead connections.
const MAX_KEPT: usize = 64;

#[derive(Clone)]
pub(crate) struct Senders(Arc<Shared>);

struct Shared {
    settings: HttpSettings,
    tls: rustls::ClientConfig,
    /// Read from the environment once, so every runtime's sender goes the same way.
    proxied: bool,
    /// Read without a lock, so one held by another thread at a fork cannot stall a child.
    built: ArcSwap<Vec<Built>>,
}

#[derive(Clone)]
struct Built {
    owner: Owner,
    sender: Sender,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Owner {
    born: Born,
    /// `None` outside any runtime, where only a proxied sender's errors can be had.
    runtime: Option<Id>,
}

impl Senders {
    pub(crate) fn new(settings: HttpSettings, tls: rustls::ClientConfig) -> Self {
        let proxied = settings.proxied();
        Self(Arc::new(Shared { settings, tls, proxied, built: ArcSwap::default() }))
    }

    /// Whether calls go through an environment proxy (reqwest's connections, not ours).
    pub(crate) fn proxied(&self) -> bool {
        self.0.proxied
    }

    /// The sender of the calling process and runtime, built on its first call there.
    pub(crate) fn get(&self) -> Result<Sender, String> {
        let owner = Owner { born: Born::here(), runtime: Handle::try_current().ok().map(|h| h.id()) };
        if let Some(found) = self.find(owner) {
            return Ok(found);
        }
        let sender = self.0.settings.sender(&self.0.tls, self.0.proxied)?;
        self.0.built.rcu(|built| {
            let mut next = Vec::with_capacity(built.len().saturating_add(1));
            for b in built.iter() {
                if !b.owner.born.is_here() {
                    // A parent's: its connections' tasks are not in this process, and dropping
                    // them could touch locks held at the fork.
                    std::mem::forget(b.clone());
                } else if b.owner != owner {
                    next.push(b.clone());
                }
            }
            if next.len() >= MAX_KEPT {
                next.remove(0);
            }
            next.push(Built { owner, sender: sender.clone() });
            next
        });
        // Two threads of one runtime may both have built one; the one kept is used from now on.
        Ok(self.find(owner).unwrap_or(sender))
    }

    fn find(&self, owner: Owner) -> Option<Sender> {
        self.0.built.load().iter().find(|b| b.owner == owner).map(|b| b.sender.clone())
    }
}
