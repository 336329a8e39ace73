//! A fair queue for SQLite writers within this process.
//!
//! SQLite admits one writer at a time; the others wait in its busy handler, which sleeps and
//! polls (up to 100 ms a sleep), so an unlucky writer can lose the race again and again while
//! later ones get in: a long tail. Writers of this process therefore take a ticket and enter in
//! the order they arrived, one at a time, before `BEGIN IMMEDIATE`; the busy timeout is left
//! for other processes on the same file (the CLI beside `serve`).

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct WriteQueue {
    /// (next ticket to hand out, ticket now allowed in)
    tickets: Mutex<(u64, u64)>,
    turn: Condvar,
}

/// A writer's turn; the next writer enters when it is dropped.
pub struct WriteTurn<'a> {
    queue: &'a WriteQueue,
}

impl WriteQueue {
    /// Waits until every writer that arrived earlier has left, then enters.
    pub fn enter(&self) -> WriteTurn<'_> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = tickets.0;
        tickets.0 += 1;
        while tickets.1 != mine {
            tickets = self.turn.wait(tickets).unwrap_or_else(PoisonError::into_inner);
        }
        WriteTurn { queue: self }
    }
}

impl Drop for WriteTurn<'_> {
    fn drop(&mut self) {
        let mut tickets = self.queue.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        tickets.1 += 1;
        drop(tickets);
        self.queue.turn.notify_all();
    }
}

thread_local! {
    /// The queue of the pool whose work runs on this thread now (set by `DbPool::run`).
    static CURRENT: RefCell<Option<Arc<WriteQueue>>> = const { RefCell::new(None) };
}

/// Makes `queue` the one `write_tx` uses on this thread until the guard is dropped.
pub(crate) fn scope(queue: Option<Arc<WriteQueue>>) -> ScopeGuard {
    let previous = CURRENT.with(|c| c.replace(queue));
    ScopeGuard { previous }
}

pub(crate) struct ScopeGuard {
    previous: Option<Arc<WriteQueue>>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| c.replace(previous));
    }
}

/// The queue in scope on this thread, if any.
pub(crate) fn current() -> Option<Arc<WriteQueue>> {
    CURRENT.with(|c| c.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn writers_enter_one_at_a_time_in_arrival_order() {
        let queue = Arc::new(WriteQueue::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = queue.enter();
        let mut handles = Vec::new();
        for i in 0..5 {
            let (theirs, order) = (queue.clone(), order.clone());
            handles.push(std::thread::spawn(move || {
                let _turn = theirs.enter();
                order.lock().unwrap().push(i);
            }));
            // Each arrives after the previous one has taken its ticket.
            while queue.tickets.lock().unwrap().0 < i + 2 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        assert!(order.lock().unwrap().is_empty(), "nobody enters while the first is in");
        drop(first);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }
}
