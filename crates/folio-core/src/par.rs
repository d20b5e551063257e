//! Work spread over the machine's cores, order kept. Chapters are
//! independent until the resolver links them, so the loader reads and
//! parses them in parallel. (Resolver passes stay sequential: measured, a
//! parallel typography pass cost small books more than it saved big ones.)

/// How many items each worker takes.
fn chunk_len(items: usize) -> usize {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items).max(1);
    items.div_ceil(workers).max(1)
}

/// `f` applied to every item, in order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items.chunks(chunk_len(items.len())).map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<_>>())).collect();
        // A worker's panic is a bug: pass it on rather than lose items.
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
