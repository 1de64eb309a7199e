//! Forked children. A scripting language's `multiprocessing` forks on Linux: the child has its
//! parent's memory but only the thread that forked. Whatever the parent's other threads drove is
//! dead there (a Tokio runtime, the connections pooled on it, a login in flight holding the login
//! lock), and some of it is shared with the parent (a runtime's epoll instance, its sockets). So
//! the rule, for the core and for the bindings alike: what belongs to a process records which one
//! ([`Born`]); a child makes its own, and never uses or drops its parent's, only forgets it.
//! [`PerProcess`] keeps one value per process on that rule.
//!
//! Threads are the other way one client is met from two places. In the core each runtime gets its
//! own connection pool (`transport/pools.rs`); a binding whose threads each run an event loop (a
//! worker thread of a scripting language) gives each its own runtime, ended with that thread.

use std::sync::Arc;

use arc_swap::ArcSwapOption;

/// The process something was made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Born(u32);

impl Born {
    /// This process.
    pub fn here() -> Self {
        Self(std::process::id())
    }

    /// Whether this is still the process it was made in, not a child forked since.
    pub fn is_here(self) -> bool {
        self.0 == std::process::id()
    }
}

/// A value and the process it was made in.
pub struct Owned<T> {
    /// The process it was made in.
    pub born: Born,
    /// The value.
    pub value: T,
}

impl<T> std::ops::Deref for Owned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// One value per process: a forked child makes its own on first use, and its parent's is
/// forgotten there, never dropped. Read without a lock, so that a lock another thread held at the
/// fork cannot stall a child.
pub struct PerProcess<T> {
    held: ArcSwapOption<Owned<T>>,
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerProcess<T> {
    /// None made yet.
    pub const fn new() -> Self {
        Self { held: ArcSwapOption::const_empty() }
    }

    /// A value made in this process now.
    pub fn with(value: T) -> Self {
        Self { held: ArcSwapOption::from_pointee(Owned { born: Born::here(), value }) }
    }

    /// This process's value: the one made here before, else `make`'s, which is given the
    /// parent's value on a forked child's first use (to start from what it knew). When two
    /// threads make one at once, one is kept and `discard` is given the other.
    pub fn get<E>(
        &self,
        make: impl FnOnce(Option<&T>) -> Result<T, E>,
        discard: impl FnOnce(T),
    ) -> Result<Arc<Owned<T>>, E> {
        let current = self.held.load_full();
        if let Some(owned) = current.as_ref().filter(|o| o.born.is_here()) {
            return Ok(owned.clone());
        }
        let fresh =
            Arc::new(Owned { born: Born::here(), value: make(current.as_deref().map(|o| &o.value))? });
        if let Some(parent) = &current {
            // Its threads are not here, and dropping it could wait for them or touch what the
            // parent still uses: one reference to it is never let go.
            std::mem::forget(parent.clone());
        }
        let before = self.held.compare_and_swap(&current, Some(fresh.clone()));
        let swapped = match (&*before, &current) {
            (None, None) => true,
            (Some(before), Some(current)) => Arc::ptr_eq(before, current),
            _ => false,
        };
        if swapped {
            return Ok(fresh);
        }
        match self.held.load_full().filter(|o| o.born.is_here()) {
            // Another thread of this process made one first: that one, then.
            Some(winner) => {
                if let Ok(ours) = Arc::try_unwrap(fresh) {
                    discard(ours.value);
                }
                Ok(winner)
            }
            None => Ok(fresh),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_made_once_per_process_and_reused() {
        let values = PerProcess::new();
        let mut made = 0;
        let first = values
            .get(
                |parent: Option<&u32>| {
                    Ok::<_, ()>({
                        made += 1;
                        parent.map_or(1, |p| p + 1)
                    })
                },
                drop,
            )
            .unwrap();
        let again = values.get(|_| Ok::<_, ()>(99), drop).unwrap();
        assert_eq!((made, **first, **again), (1, 1, 1));
        assert!(first.born.is_here());
    }
}
