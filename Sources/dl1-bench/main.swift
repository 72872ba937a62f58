import ArgumentParser

/// Benchmarks that print figures beside a reference measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dl1-bench", abstract: "DL1 benchmarks.",
                                                    subcommands: [VerifyBenchmark.self, StatusListBenchmark.self, SigningBenchmark.self])
}

Bench.main()
