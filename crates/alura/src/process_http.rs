//! The HTTP client of the process that uses it. A forked child (Python's `multiprocessing` forks
//! on Linux) inherits its parent's pooled connections, but not the runtime whose tasks drive
//! them, and shares their sockets with the parent: a call there would wait for an answer no
//! task reads. So a child builds its own client, with the same settings, on first use.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;

/// What the HTTP client is built from, kept to build it again in a child.
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: String,
    /// Loopback: a proxy from the environment must never catch traffic meant for this machine.
    pub(crate) no_proxy: bool,
}

impl HttpSettings {
    pub(crate) fn build(&self) -> reqwest::Result<reqwest::Client> {
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.clone())
            // The API never redirects; following one could carry an order or a signature to
            // another origin, or down to plain http. A redirect is an error naming its target.
            .redirect(reqwest::redirect::Policy::none());
        if self.no_proxy {
            http = http.no_proxy();
        }
        http.build()
    }
}

/// The process a client was built in, and the client a child built for itself.
#[derive(Clone)]
pub(crate) struct ProcessHttp {
    pid: u32,
    settings: HttpSettings,
    /// Read without a lock, so one held by another thread at a fork cannot stall a child.
    child: Arc<ArcSwapOption<(u32, reqwest::Client)>>,
}

impl ProcessHttp {
    pub(crate) fn new(settings: HttpSettings) -> Self {
        Self { pid: std::process::id(), settings, child: Arc::default() }
    }

    /// `None` in the process the client was built in (use its client); in a child, the
    /// child's own client.
    pub(crate) fn in_child(&self) -> Option<reqwest::Result<reqwest::Client>> {
        let pid = std::process::id();
        if pid == self.pid {
            return None;
        }
        if let Some(built) = self.child.load().as_ref().filter(|built| built.0 == pid) {
            return Some(Ok(built.1.clone()));
        }
        // Two threads of a new child may both build one; the last kept is as good.
        let http = self.settings.build();
        if let Ok(http) = &http {
            self.child.store(Some(Arc::new((pid, http.clone()))));
        }
        Some(http)
    }
}
