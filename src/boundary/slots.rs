//! The awaits in flight at the wasm boundary, by slot (pure; `boundary` holds one per isolate).
//! A slot is reused only once its promise has settled and its outcome was taken, or its await
//! was dropped, so a late callback never lands on another await.

use std::task::{Poll, Waker};

pub struct Slots<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

enum Slot<T> {
    Free,
    Waiting(Option<Waker>),
    Settled(T),
    /// Its await was dropped before the promise settled.
    Abandoned,
}

impl<T> Slots<T> {
    pub const fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// A slot for a new await.
    pub fn take(&mut self) -> u32 {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(Slot::Free);
            (self.slots.len() - 1) as u32
        });
        self.slots[slot as usize] = Slot::Waiting(None);
        slot
    }

    /// The outcome, once settled (the slot is then free); otherwise `waker` is kept to be woken.
    pub fn poll(&mut self, slot: u32, waker: &Waker) -> Poll<T> {
        let entry = &mut self.slots[slot as usize];
        match std::mem::replace(entry, Slot::Free) {
            Slot::Settled(outcome) => {
                self.free.push(slot);
                Poll::Ready(outcome)
            }
            Slot::Waiting(Some(known)) if known.will_wake(waker) => {
                *entry = Slot::Waiting(Some(known));
                Poll::Pending
            }
            Slot::Waiting(_) => {
                *entry = Slot::Waiting(Some(waker.clone()));
                Poll::Pending
            }
            other => {
                *entry = other;
                Poll::Pending
            }
        }
    }

    /// Records `outcome`; returns the waker of the await, if it still waits.
    pub fn settle(&mut self, slot: u32, outcome: T) -> Option<Waker> {
        let entry = self.slots.get_mut(slot as usize)?;
        match std::mem::replace(entry, Slot::Free) {
            Slot::Waiting(waker) => {
                *entry = Slot::Settled(outcome);
                waker
            }
            Slot::Abandoned => {
                self.free.push(slot);
                None
            }
            other => {
                *entry = other;
                None
            }
        }
    }

    /// The await of `slot` was dropped: its outcome, now or later, is thrown away.
    pub fn abandon(&mut self, slot: u32) {
        let entry = &mut self.slots[slot as usize];
        match entry {
            Slot::Waiting(_) => *entry = Slot::Abandoned,
            Slot::Settled(_) => {
                *entry = Slot::Free;
                self.free.push(slot);
            }
            Slot::Free | Slot::Abandoned => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    struct Counter(AtomicUsize);
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        (counter.clone(), Waker::from(counter))
    }

    #[test]
    fn an_await_is_pending_until_its_promise_settles_then_wakes_and_takes_the_outcome() {
        let mut slots = Slots::new();
        let (woken, waker) = waker();
        let slot = slots.take();
        assert_eq!(slots.poll(slot, &waker), Poll::Pending);
        let to_wake = slots.settle(slot, "value").expect("the await still waits");
        to_wake.wake();
        assert_eq!(woken.0.load(Ordering::SeqCst), 1);
        assert_eq!(slots.poll(slot, &waker), Poll::Ready("value"));
    }

    #[test]
    fn a_promise_that_settles_before_the_first_poll_is_ready_at_once() {
        let mut slots = Slots::new();
        let (_, waker) = waker();
        let slot = slots.take();
        assert!(slots.settle(slot, 7).is_none(), "no waker was given yet");
        assert_eq!(slots.poll(slot, &waker), Poll::Ready(7));
    }

    #[test]
    fn a_slot_is_reused_only_after_its_outcome_was_taken() {
        let mut slots = Slots::new();
        let (_, waker) = waker();
        let first = slots.take();
        let second = slots.take();
        assert_ne!(first, second);
        slots.settle(first, 1);
        assert_ne!(slots.take(), first, "settled but not yet taken");
        assert_eq!(slots.poll(first, &waker), Poll::Ready(1));
        assert_eq!(slots.take(), first);
    }

    #[test]
    fn a_dropped_await_keeps_its_slot_until_the_late_outcome_arrives() {
        let mut slots = Slots::new();
        let (woken, waker) = waker();
        let dropped = slots.take();
        assert_eq!(slots.poll(dropped, &waker), Poll::Pending);
        slots.abandon(dropped);
        let other = slots.take();
        assert_ne!(
            other, dropped,
            "the promise of the dropped await is still pending"
        );
        assert!(
            slots.settle(dropped, "late").is_none(),
            "nobody waits for it"
        );
        assert_eq!(woken.0.load(Ordering::SeqCst), 0);
        assert_eq!(slots.take(), dropped);
        // The other await is untouched by the late outcome.
        assert_eq!(slots.poll(other, &waker), Poll::Pending);
    }

    #[test]
    fn an_outcome_settled_but_never_taken_frees_its_slot_when_the_await_is_dropped() {
        let mut slots = Slots::new();
        let slot = slots.take();
        slots.settle(slot, ());
        slots.abandon(slot);
        assert_eq!(slots.take(), slot);
    }

    #[test]
    fn a_callback_for_an_unknown_slot_is_ignored() {
        let mut slots: Slots<u8> = Slots::new();
        assert!(slots.settle(3, 1).is_none());
    }
}
