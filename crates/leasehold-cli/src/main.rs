//! The `leasehold` binary: parses arguments and hands over to the library.

/// mimalloc rather than the system allocator: the server allocates and frees
/// small blocks from many threads, where glibc's malloc spends as much time
/// as the request itself and keeps freed memory fragmented (renew throughput
/// and resident memory in BENCHMARKS.md, "Session 5").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    leasehold_cli::run()
}
