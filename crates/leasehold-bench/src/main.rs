//! `leasehold-bench`: parses arguments and hands over to the library.

fn main() -> std::process::ExitCode {
    leasehold_bench::main()
}
